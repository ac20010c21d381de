import type { Command } from './command';
import { notImplementedCommand } from './not-implemented-command';
import { packageCommand } from './package-command';
import { rotateCommand } from './rotate';
import { secretsManagerCommand } from './secrets-manager-command';
import { templatesCommand } from './templates-command';

/** Every `rotor` subcommand, in the order `rotor --help` lists them. */
export const COMMANDS: readonly Command[] = [
  notImplementedCommand('demo', 'Rotate a secret end to end against a local database and Secrets Manager'),
  rotateCommand,
  notImplementedCommand(
    'doctor',
    'Check a secret, its database and the network path before enabling rotation',
  ),
  packageCommand,
  templatesCommand,
  secretsManagerCommand,
];
