// Starts (or finds, through ROTOR_TEST_*_URL) the servers this package's integration tests use.
module.exports = require('@rotor/testkit').createGlobalSetup(['mariadb', 'mysql80', 'mysql84']);
