/**
 * The only way anything reads the time. A real clock reads the system time; a simulated clock
 * ("test clock") holds still until told to advance, so months of billing run in seconds.
 */
export interface Clock {
  readonly kind: 'real' | 'simulated';
  now(): Date;
}

export class RealClock implements Clock {
  readonly kind = 'real' as const;
  now(): Date {
    return new Date();
  }
}

export class SimulatedClock implements Clock {
  readonly kind = 'simulated' as const;
  #now: number;
  constructor(start: Date) {
    this.#now = start.getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  /** Moves time forward; never backwards (billing events already ran). */
  set(to: Date): void {
    if (to.getTime() < this.#now) throw new Error('A simulated clock never moves backwards.');
    this.#now = to.getTime();
  }
}
