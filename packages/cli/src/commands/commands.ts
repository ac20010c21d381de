import type { Command } from './command';
import { doctorCommand } from './doctor';
import { packageCommand } from './package-command';
import { recoverCommand } from './recover';
import { rotateCommand } from './rotate';
import { secretsManagerCommand } from './secrets-manager-command';
import { templatesCommand } from './templates-command';

/** Every `rotor` subcommand, in the order `rotor --help` lists them. */
export const COMMANDS: readonly Command[] = [
  rotateCommand,
  doctorCommand,
  recoverCommand,
  packageCommand,
  templatesCommand,
  secretsManagerCommand,
];
