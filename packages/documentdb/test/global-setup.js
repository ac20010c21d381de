// Finds a real MongoDB (ROTOR_TEST_MONGODB_URL, else Docker) for the real-server suite; the protocol
// double tests need neither.
module.exports = require('@rotor/testkit').createGlobalSetup(['mongodb']);
