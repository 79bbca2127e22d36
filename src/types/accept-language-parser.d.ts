/** The part of accept-language-parser (a dependency of nestjs-i18n) the service uses; it ships no types. */
declare module 'accept-language-parser' {
  export interface Language {
    code: string;
    script: string | null;
    region: string | undefined;
    quality: number;
  }
  /** The header's languages, highest quality first (ties keep the header's order). */
  export function parse(header: string): Language[];
  /** The first of `supported` matching a language of `accepted`, in the order given; loose ignores region and script. */
  export function pick<T extends string>(supported: readonly T[], accepted: string | Language[], options?: { loose?: boolean }): T | null;
}
