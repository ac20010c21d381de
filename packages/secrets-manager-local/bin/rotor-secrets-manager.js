#!/usr/bin/env node
require('../dist/bin/rotor-secrets-manager.js');
