export type ComponentStatus = 'up' | 'down' | 'disabled';

export interface ComponentHealth {
  status: ComponentStatus;
  /** Which kind of component serves this role (external, embedded, memory, disabled). */
  mode: string;
  detail?: string;
}

/**
 * One dependency as /health/ready reports it. A component that is configured and down makes the
 * service not ready; a disabled or in-process one never does.
 */
export abstract class DependencyProbe {
  abstract readonly name: 'postgres' | 'redis' | 'kafka';
  abstract check(): Promise<ComponentHealth>;
}

/** Runs `check` with a deadline so a hung dependency cannot hang the probe. */
export async function withDeadline<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
