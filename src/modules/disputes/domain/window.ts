import { type CalendarDate, addDays } from '../../../kernel/index.ts';

/** DSP-1: an invoice can be disputed only within 15 days of its issue date. */
export const DISPUTE_WINDOW_DAYS = 15;

/** The last day a dispute is accepted: the issue date + 15 days (account time zone). */
export const lastDisputeDay = (issueDate: CalendarDate): CalendarDate =>
  addDays(issueDate, DISPUTE_WINDOW_DAYS);

export const withinDisputeWindow = (issueDate: CalendarDate, today: CalendarDate): boolean =>
  today <= lastDisputeDay(issueDate);
