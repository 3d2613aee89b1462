/**
 * A counting semaphore with a FIFO queue: how many steps compute at once. Steps waiting for
 * another run to finish their claim give their permit back, so they do not idle the run.
 */
export class Permits {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(count: number) {
    this.free = count;
  }

  /** Synchronous (undefined) when a permit is free, so runs of quick steps pay no promise. */
  acquire(): Promise<void> | undefined {
    if (this.free > 0) {
      this.free--;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.free++;
  }
}
