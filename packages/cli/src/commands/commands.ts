import type { EngineModule } from '@rotor/rotation-core';
import { ENGINES } from '../engines/engines';
import type { Command } from './command';
import { demoCommand } from './demo';
import { createDoctorCommand } from './doctor';
import { createPackageCommand } from './package-command';
import { createRecoverCommand } from './recover';
import { createRotateCommand } from './rotate';
import { secretsManagerCommand } from './secrets-manager-command';
import { createTemplatesCommand } from './templates-command';

/** Every `rotor` subcommand for these engines, in the order `rotor --help` lists them. */
export function createCommands(engines: readonly EngineModule[] = ENGINES): Command[] {
  return [
    demoCommand,
    createRotateCommand(engines),
    createDoctorCommand(engines),
    createRecoverCommand(engines),
    createPackageCommand(engines),
    createTemplatesCommand(engines),
    secretsManagerCommand,
  ];
}

/** The `rotor` subcommands for every engine Rotor ships. */
export const COMMANDS: readonly Command[] = createCommands();
