// Starts (or finds, through ROTOR_TEST_POSTGRES_URL) the PostgreSQL server the integration tests use.
module.exports = require('@rotor/testkit').createGlobalSetup(['postgres']);
