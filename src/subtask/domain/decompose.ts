export const SOURCE_TYPES = ['pull_video_stream', 'pull_pic_files', 'push_pic_files'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export interface VchanSpec {
  vchan_refid: string;
  name?: string | null;
  play_url?: string | null;
  is_ptz?: boolean | null;
}

export interface TaskSource {
  source_type: SourceType;
  play_url: string;
  vchans?: readonly VchanSpec[] | null;
  node_count?: number | null;
  pull_source_url?: string | null;
}

export interface SubtaskSpec {
  position: number;
  vchan_refid: string | null;
  vchan_name: string | null;
  play_url: string | null;
  is_ptz: boolean;
  node_index: number | null;
  pull_source_url: string | null;
}

export const isPictureSource = (type: SourceType): boolean => type !== 'pull_video_stream';

/**
 * The original's split rules: one subtask per video channel; `node_count` subtasks for picture
 * sources (each carrying `pull_source_url` for `pull_pic_files`). A video task without `vchans`
 * has one subtask for its own `play_url`. Inputs are assumed validated.
 */
export function decomposeIntoSubtasks(source: TaskSource): SubtaskSpec[] {
  if (isPictureSource(source.source_type)) {
    const pullUrl = source.source_type === 'pull_pic_files' ? (source.pull_source_url ?? null) : null;
    return Array.from({ length: source.node_count ?? 1 }, (_, index) => ({
      position: index,
      vchan_refid: null,
      vchan_name: null,
      play_url: null,
      is_ptz: false,
      node_index: index,
      pull_source_url: pullUrl,
    }));
  }
  const vchans = source.vchans ?? [];
  if (vchans.length === 0) {
    return [{ position: 0, vchan_refid: null, vchan_name: null, play_url: source.play_url, is_ptz: false, node_index: null, pull_source_url: null }];
  }
  return vchans.map((vchan, index) => ({
    position: index,
    vchan_refid: vchan.vchan_refid,
    vchan_name: vchan.name ?? null,
    play_url: vchan.play_url ?? source.play_url,
    is_ptz: vchan.is_ptz === true,
    node_index: null,
    pull_source_url: null,
  }));
}
