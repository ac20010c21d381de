// Starts (or finds, through ROTOR_TEST_*_URL) the database servers the command tests rotate against.
module.exports = require('@rotor/testkit').createGlobalSetup(['postgres', 'mariadb']);
