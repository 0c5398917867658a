/**
 * BUSINESS_CALENDAR_FILE and SLA_POLICIES_FILE: the shop's calendar and its SLA policies, read and
 * checked once at start. Every problem is reported at once (file:line for dates and slots), and a file
 * with a problem stops the start: nothing falls back silently to 24/7 or to the defaults.
 */
import { readFile } from 'node:fs/promises';
import { defaultCalendar, parseCalendar, type BusinessCalendar } from '../../src/domain/business-calendar.ts';
import { AppError, type ErrorCode } from '../../src/domain/errors.ts';
import { DEFAULT_SLA, parseSlaPolicies, type SlaSettings } from '../../src/domain/sla.ts';
import type { Config } from '../../src/config.ts';

export interface SlaSetup {
  readonly calendar: BusinessCalendar;
  readonly settings: SlaSettings;
}

/** A JSON file named by an environment variable, or an AppError saying which and why (`code`: the file's feature). */
export async function readJson(
  file: string,
  variable: string,
  code: { readonly unreadable: ErrorCode; readonly invalid: ErrorCode } = {
    unreadable: 'sla.file_unreadable',
    invalid: 'sla.file_invalid',
  },
): Promise<{ json: unknown; text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      code.unreadable,
      `${file} (${variable}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}. Fix the path or unset ${variable}.`,
      { cause: error },
    );
  }
  try {
    return { json: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw new AppError(
      code.invalid,
      `${file} (${variable}) is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error },
    );
  }
}

export async function loadCalendar(config: Pick<Config, 'sla' | 'digest'>): Promise<BusinessCalendar> {
  if (!config.sla.calendarFile) return defaultCalendar(config.digest.timezone);
  const { json, text } = await readJson(config.sla.calendarFile, 'BUSINESS_CALENDAR_FILE');
  const parsed = parseCalendar(json, { file: config.sla.calendarFile, text });
  if (!parsed.ok)
    throw new AppError(
      'sla.calendar_invalid',
      `The business calendar (BUSINESS_CALENDAR_FILE) is refused:\n  ${parsed.errors.join('\n  ')}`,
    );
  return parsed.calendar;
}

export async function loadSlaSettings(config: Pick<Config, 'sla'>): Promise<SlaSettings> {
  if (!config.sla.policiesFile) return DEFAULT_SLA;
  const { json } = await readJson(config.sla.policiesFile, 'SLA_POLICIES_FILE');
  const parsed = parseSlaPolicies(json, config.sla.policiesFile);
  if (!parsed.ok)
    throw new AppError(
      'sla.policies_invalid',
      `The SLA policies (SLA_POLICIES_FILE) are refused:\n  ${parsed.errors.join('\n  ')}`,
    );
  return parsed.settings;
}

export async function loadSlaSetup(config: Pick<Config, 'sla' | 'digest'>): Promise<SlaSetup> {
  return { calendar: await loadCalendar(config), settings: await loadSlaSettings(config) };
}
