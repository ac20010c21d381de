export { bundledEngines } from './bundled-zips';
export { type ManagedSuperuserService, managedSuperuserServices } from './managed-superuser-access';
export { RotorRotation, type RotorRotationProps, type RotorStrategy } from './rotor-rotation';
