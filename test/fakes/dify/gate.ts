/**
 * A promise the test opens by hand: scripts `steps.waitFor(gate)` until the test calls `gate.open()`, which
 * lets a test hold a stream at an exact point (mid-answer, before the first event) without sleeping.
 */
export interface Gate extends PromiseLike<void> {
  open(): void;
  readonly isOpen: boolean;
}

export function createGate(): Gate {
  let release!: () => void;
  let isOpen = false;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    open() {
      isOpen = true;
      release();
    },
    get isOpen() {
      return isOpen;
    },
    // biome-ignore lint/suspicious/noThenProperty: the gate is awaitable on purpose (`await gate`).
    then: (onFulfilled, onRejected) => promise.then(onFulfilled, onRejected),
  };
}
