import { decomposeIntoSubtasks } from './decompose';

const base = { play_url: 'rtsp://cam/main' };

describe('decomposeIntoSubtasks', () => {
  it('makes one subtask per video channel, each with its own or the task play_url', () => {
    const subtasks = decomposeIntoSubtasks({
      ...base,
      source_type: 'pull_video_stream',
      vchans: [{ vchan_refid: 'c1', name: 'Gate', play_url: 'rtsp://cam/1', is_ptz: true }, { vchan_refid: 'c2' }],
    });
    expect(subtasks).toEqual([
      { position: 0, vchan_refid: 'c1', vchan_name: 'Gate', play_url: 'rtsp://cam/1', is_ptz: true, node_index: null, pull_source_url: null },
      { position: 1, vchan_refid: 'c2', vchan_name: null, play_url: 'rtsp://cam/main', is_ptz: false, node_index: null, pull_source_url: null },
    ]);
  });

  it('makes one subtask for the task stream when no channels are given', () => {
    for (const vchans of [undefined, null, []]) {
      const subtasks = decomposeIntoSubtasks({ ...base, source_type: 'pull_video_stream', vchans });
      expect(subtasks).toHaveLength(1);
      expect(subtasks[0]).toMatchObject({ play_url: 'rtsp://cam/main', vchan_refid: null, node_index: null });
    }
  });

  it('makes node_count subtasks for pulled pictures, each with the pull source', () => {
    const subtasks = decomposeIntoSubtasks({ ...base, source_type: 'pull_pic_files', node_count: 3, pull_source_url: 'http://files/x' });
    expect(subtasks.map((s) => [s.node_index, s.pull_source_url, s.play_url])).toEqual([
      [0, 'http://files/x', null],
      [1, 'http://files/x', null],
      [2, 'http://files/x', null],
    ]);
  });

  it('makes node_count subtasks without a pull source for pushed pictures', () => {
    const subtasks = decomposeIntoSubtasks({ ...base, source_type: 'push_pic_files', node_count: 2, pull_source_url: 'http://ignored' });
    expect(subtasks.map((s) => [s.position, s.node_index, s.pull_source_url])).toEqual([
      [0, 0, null],
      [1, 1, null],
    ]);
  });

  it('ignores vchans for picture sources', () => {
    expect(decomposeIntoSubtasks({ ...base, source_type: 'push_pic_files', node_count: 1, vchans: [{ vchan_refid: 'x' }] })).toHaveLength(1);
  });
});
