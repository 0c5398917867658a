/**
 * ASSIGNMENT_FILE: automatic assignment's agents, strategies and rules, read and checked once at start
 * against the shop's business calendar (agents' hours use its zone and holidays). Every problem is
 * reported at once (file:line), and a file with a problem stops the worker's start: nothing falls back
 * silently to another strategy. No file: nobody is assigned automatically.
 */
import { MANUAL_ONLY, parseAssignment, type AssignmentSettings } from '../../src/domain/assignment.ts';
import type { BusinessCalendar } from '../../src/domain/business-calendar.ts';
import { AppError } from '../../src/domain/errors.ts';
import { readJson } from './sla-files.ts';

export async function loadAssignmentFile(file: string | null, calendar: BusinessCalendar): Promise<AssignmentSettings> {
  if (!file) return MANUAL_ONLY;
  const { json, text } = await readJson(file, 'ASSIGNMENT_FILE', {
    unreadable: 'assignment.file_invalid',
    invalid: 'assignment.file_invalid',
  });
  const parsed = parseAssignment(json, calendar, { file, text });
  if (!parsed.ok)
    throw new AppError(
      'assignment.file_invalid',
      `The assignment file (ASSIGNMENT_FILE) is refused:\n  ${parsed.errors.join('\n  ')}`,
    );
  return parsed.settings;
}
