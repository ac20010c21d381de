import { performance } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import { FaultProxy } from '@rotor/testkit';
import { breakDownSteps, type StepBreakdown, type StepWindow } from './step-breakdown';
import { WireMeter, type WireProtocol } from './wire-meter';

/**
 * Watches the rotations the bench runs from outside the handler: a pass-mode fault proxy in front
 * of the database and one in front of the Secrets Manager emulator see every login, round trip
 * and API call the real clients make, and the emulator's invocation hook marks each step.
 */
export class StepProbe {
  /** The rotation the bench is running; 0 is the discarded warm-up. */
  rotation = 0;
  private windows: StepWindow[] = [];
  private readonly open = new Map<string, { start: number; cpu: NodeJS.CpuUsage }>();
  private readonly sm = new WireMeter('http');
  private smProxy: FaultProxy | undefined;

  private constructor(
    private readonly db: WireMeter,
    readonly dbProxy: FaultProxy,
  ) {}

  static async start(protocol: WireProtocol, target: { host: string; port: number }): Promise<StepProbe> {
    const meter = new WireMeter(protocol);
    return new StepProbe(meter, await FaultProxy.start(target, { observer: meter }));
  }

  /** The endpoint the handlers get instead of the emulator's: a metering proxy in front of it. */
  readonly endpointFor = async (emulatorEndpoint: string): Promise<string> => {
    const url = new URL(emulatorEndpoint);
    this.smProxy = await FaultProxy.start(
      { host: url.hostname, port: Number(url.port) },
      { observer: this.sm },
    );
    return this.smProxy.url;
  };

  readonly onInvocation = (event: unknown, phase: 'start' | 'end'): void => {
    const e = event as { Step?: string; ClientRequestToken?: string };
    const key = `${e.ClientRequestToken}/${e.Step}`;
    if (phase === 'start') {
      this.open.set(key, { start: performance.now(), cpu: cpuUsage() });
      return;
    }
    const started = this.open.get(key);
    if (started === undefined) return;
    this.open.delete(key);
    const cpu = cpuUsage(started.cpu);
    this.windows.push({
      rotation: this.rotation,
      step: String(e.Step),
      start: started.start,
      end: performance.now(),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  };

  /** The measured rotations' steps since the last call (the warm-up left out), then forgets them. */
  takeBreakdown(steps: readonly string[]): StepBreakdown[] {
    const windows = this.windows.filter((w) => w.rotation > 0);
    const events = [...this.sm.events, ...this.db.events];
    this.windows = [];
    this.sm.events.length = 0;
    this.db.events.length = 0;
    return breakDownSteps(windows, events, steps);
  }

  async stop(): Promise<void> {
    await this.smProxy?.stop();
    await this.dbProxy.stop();
  }
}
