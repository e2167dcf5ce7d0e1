import { inboundReason } from './outcome-reason';

describe('inboundReason', () => {
  it.each([
    ['duplicate event', 'duplicate'],
    ['stale event', 'stale'],
    ['already equal (echo)', 'echo'],
    ['already equal', 'unchanged'],
    ['customer deleted here', 'deleted_here'],
    ['already deleted here', 'deleted_here'],
    ['not linked to any customer', 'not_linked'],
    ['event type not synced', 'unsupported_event'],
    ['ours is newer: kept ours, it will be sent', 'ours_newer'],
    ["same second: took stripe's current state", 'same_second'],
    ['changed on both sides (name, phone): ours is newer: kept ours', 'ours_newer'],
    ["changed on both sides (name): same second: took stripe's current state", 'same_second'],
    ['kept ours (changed only here: name)', 'other'],
    ['something new', 'other'],
    [undefined, 'none'],
  ])('%s → %s', (reason, label) => {
    expect(inboundReason(reason)).toBe(label);
  });
});
