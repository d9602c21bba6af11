const UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** `72h`, `7d`, `30m`, `90s` → a Date that long ago; an ISO date is taken as is. */
export function sinceDate(value: string, now = Date.now()): Date {
  const match = /^(\d+)(d|h|m|s)$/.exec(value.trim());
  if (match) return new Date(now - Number(match[1]) * UNITS[match[2] as keyof typeof UNITS]);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`--since must be a duration like 72h, 7d, 30m or an ISO date, got "${value}"`);
  return date;
}
