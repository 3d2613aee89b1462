import { AssetsError } from "@daydream/core";

/** A queue executor or worker problem: the message says what, the hint how to fix it. */
export class QueueError extends AssetsError {}
