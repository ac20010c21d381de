// Starts (or finds, through ROTOR_TEST_SQLSERVER_URL) the SQL Server the integration tests use.
module.exports = require('@rotor/testkit').createGlobalSetup(['sqlserver']);
