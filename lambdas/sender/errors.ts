/** Thrown to leave a message on its queue for a later attempt (the batch reports it as a failed item). */
export class RetryLaterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Thrown for a message that can never be processed; it goes to the DLQ after maxAttempts for a human to see. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
