module.exports = require('@rotor/testkit').createGlobalTeardown();
