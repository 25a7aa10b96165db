export const SECONDS_PER_DAY = 86_400;

/** Epoch seconds, the unit of DynamoDB's TTL attribute. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Epoch seconds rounded up: a TTL that never ends before `date`, as a floor could by up to a second. */
export function epochSecondsCeil(date: Date): number {
  return Math.ceil(date.getTime() / 1000);
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
