import { Language, SUPPORTED_LANGUAGES } from '../../config/app-config';

/**
 * Picks the response language from an Accept-Language header: exact or primary-subtag matches
 * (`en-US` → `en`, `zh`/`zh-TW` → `zh-CN`) in the client's order of preference, else the default.
 */
export function resolveLanguage(header: string | string[] | undefined, fallback: Language): Language {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return fallback;
  const ranked = value
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim().toLowerCase(), quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.tag && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { tag } of ranked) {
    const exact = SUPPORTED_LANGUAGES.find((lang) => lang.toLowerCase() === tag);
    if (exact) return exact;
    const primary = tag.split('-')[0];
    const loose = SUPPORTED_LANGUAGES.find((lang) => lang.toLowerCase().split('-')[0] === primary);
    if (loose) return loose;
  }
  return fallback;
}
