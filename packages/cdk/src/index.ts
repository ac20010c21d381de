export { bundledEngines } from './bundled-zips';
export { RotorRotation, type RotorRotationProps, type RotorStrategy } from './rotor-rotation';
