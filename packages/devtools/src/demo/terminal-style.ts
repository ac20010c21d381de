/** ANSI styling for a terminal, or plain text when colours are off (not a TTY, or NO_COLOR set). */
export interface TerminalStyle {
  readonly ok: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  /** ✓ or ✗, coloured. */
  readonly mark: (held: boolean) => string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export function terminalStyle(color: boolean): TerminalStyle {
  const plain = (text: string) => text;
  const ok = color ? sgr(32, 39) : plain;
  const bad = color ? sgr(31, 39) : plain;
  return {
    ok,
    bad,
    bold: color ? sgr(1, 22) : plain,
    dim: color ? sgr(2, 22) : plain,
    mark: (held) => (held ? ok('✓') : bad('✗')),
  };
}

/** Colours only for a terminal, and never when NO_COLOR is set to anything but the empty string (no-color.org). */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}
