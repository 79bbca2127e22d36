import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { isWireDateTime, TIME_OF_DAY, parseWireDateTime } from '../time/datetime';

export const STREAM_SCHEMES = ['rtsp', 'rtsps', 'rtmp', 'http', 'https'] as const;

/** Trims strings so that "  " fails `IsNotEmpty` and names are stored without stray blanks. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * C0 controls (NUL, tab, line breaks, ESC …), DEL, C1 controls and the Unicode line and paragraph
 * separators. None belongs in a name, an id or a URL: they break logs, CSV exports and the UI, and
 * NUL truncates strings in C code downstream.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this regex's purpose
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

export const hasControlChars = (value: string): boolean => CONTROL_CHARS.test(value);

/** Refuses strings holding a control character (see CONTROL_CHARS); other values pass, for IsString to judge. */
export const NoControlChars = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'noControlChars',
      validator: {
        validate: (value) => typeof value !== 'string' || !hasControlChars(value),
        defaultMessage: buildMessage((each) => `${each}$property must not contain control characters`),
      },
    },
    options,
  );

/** A short text: a string without control characters. */
export const IsText = (options?: ValidationOptions) => applyDecorators(IsString(options), NoControlChars(options));

export function isStreamUrl(value: unknown, schemes: readonly string[] = STREAM_SCHEMES): boolean {
  // WHATWG URL parsing drops tabs and line breaks silently; the string as sent is what is stored.
  if (typeof value !== 'string' || value.length > 2048 || hasControlChars(value)) return false;
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol.slice(0, -1)) && url.host !== '';
  } catch {
    return false;
  }
}

/** An absolute URL with one of the streaming schemes (rtsp, rtsps, rtmp, http, https); a non-string is "must be a string". */
export const IsStreamUrl = (schemes: readonly string[] = STREAM_SCHEMES, options?: ValidationOptions) =>
  applyDecorators(IsString(options), streamUrl(schemes, options));

const streamUrl = (schemes: readonly string[], options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isStreamUrl',
      constraints: [schemes],
      validator: {
        validate: (value) => isStreamUrl(value, schemes),
        defaultMessage: buildMessage((each) => `${each}$property must be a URL with scheme ${schemes.join(', ')}`),
      },
    },
    { ...options, context: { schemes: schemes.join(', ') } },
  );

/** `YYYY-MM-DD HH:mm:ss[.SSS]` or ISO-8601 with an offset; a non-string is "must be a string". */
export const IsWireDateTime = (options?: ValidationOptions) => applyDecorators(IsString(options), wireDateTime(options));

const wireDateTime = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isWireDateTime',
      validator: {
        // A real calendar instant, not only the right shape (2026-02-30 has the shape).
        validate: (value) => isWireDateTime(value) && parseWireDateTime(value, 'UTC') !== null,
        defaultMessage: buildMessage((each) => `${each}$property must be YYYY-MM-DD HH:mm:ss.SSS or ISO-8601 with an offset`),
      },
    },
    options,
  );

/** `HH:mm:ss`, 00:00:00 to 23:59:59; a non-string is "must be a string". */
export const IsTimeOfDay = (options?: ValidationOptions) =>
  applyDecorators(
    IsString(options),
    ValidateBy(
      {
        name: 'isTimeOfDay',
        validator: {
          validate: (value) => typeof value === 'string' && TIME_OF_DAY.test(value),
          defaultMessage: buildMessage((each) => `${each}$property must be a time of day HH:mm:ss`),
        },
      },
      options,
    ),
  );

/** A dictionary code given as a string or, as the original's scenes do, a number. */
export const IsCode = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCode',
      validator: {
        validate: (value) => (typeof value === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(value)) || (Number.isInteger(value) && (value as number) >= 0),
        defaultMessage: buildMessage((each) => `${each}$property must be a dictionary code`),
      },
    },
    options,
  );

/** A plain JSON object (not an array, not null). */
export const IsPlainObject = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isPlainObject',
      validator: {
        validate: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
        defaultMessage: buildMessage((each) => `${each}$property must be an object`),
      },
    },
    options,
  );

/** One entry of `link_scenes`: a scene id (a scene_unid: 1 to 64 characters) or a PTZ preset number (0 to 100000, as `preset`). */
export const isSceneLink = (item: unknown): boolean =>
  (typeof item === 'string' && item.length > 0 && [...item].length <= 64 && !hasControlChars(item)) ||
  (Number.isInteger(item) && (item as number) >= 0 && (item as number) <= 100000);

/**
 * `link_scenes` (PTZ only): a flat list of the scenes or presets a scene links to. Nothing nested,
 * so a stored list never nests deeper than the database's JSON accepts.
 */
export const IsSceneLinks = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isSceneLinks',
      validator: {
        validate: (value) => Array.isArray(value) && value.every(isSceneLink),
        defaultMessage: buildMessage((each) => `${each}$property must list scene ids (strings of at most 64 characters) or preset numbers`),
      },
    },
    options,
  );

/** A string of 1 to `max` ASCII digits, e.g. a dictionary code. */
export const IsDigits = (max: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isDigits',
      constraints: [max],
      validator: {
        validate: (value) => typeof value === 'string' && new RegExp(`^[0-9]{1,${max}}$`).test(value),
        defaultMessage: buildMessage((each) => `${each}$property must be 1 to ${max} digits`),
      },
    },
    { ...options, context: { max } },
  );

/**
 * A comma-separated list whose every item is one of `values` (e.g. `status=running,degraded`).
 * Reported under the `isIn` rule, so the message lists the values like a single choice does.
 */
export const IsInList = (values: readonly string[], options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isIn',
      constraints: [values],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.split(',').every((item) => values.includes(item)),
        defaultMessage: buildMessage((each) => `${each}$property must be one of: ${values.join(', ')}`, options),
      },
    },
    options,
  );
