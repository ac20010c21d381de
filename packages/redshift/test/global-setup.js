// PostgreSQL (embedded unless ROTOR_TEST_POSTGRES_URL) for what Redshift shares with it, and a real
// Redshift only when ROTOR_TEST_REDSHIFT_URL names one (no container or embedded server exists).
module.exports = require('@rotor/testkit').createGlobalSetup(['postgres', 'redshift']);
