/**
 * A file size as every Rotor command prints it: KiB with one decimal, whatever the size, so the
 * zips of `rotor package`, the demo and the bench compare at a glance.
 */
export function formatSize(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
