export * from './errors.ts';
export * from './money.ts';
export * from './dates.ts';
export * from './clock.ts';
export * from './ids.ts';
export * from './collections.ts';
export * from './invoice-lines.ts';
export * from './line-texts.ts';
