import { parse, pick } from 'accept-language-parser';
import { Language, SUPPORTED_LANGUAGES } from '../../config/app-config';

/**
 * Picks the response language from an Accept-Language header: exact or primary-subtag matches
 * (`en-US` → `en`, `zh`/`zh-TW` → `zh-CN`) in the client's order of preference, else the default.
 */
export function resolveLanguage(header: string | string[] | undefined, fallback: Language): Language {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return fallback;
  for (const accepted of parse(value)) {
    if (!(accepted.quality > 0)) continue;
    const match = pick(SUPPORTED_LANGUAGES, [accepted]) ?? pick(SUPPORTED_LANGUAGES, [accepted], { loose: true });
    if (match) return match;
  }
  return fallback;
}
