/**
 * Postfix queue IDs, checked before any command sees them (`ALL`, `-` or an option must never reach
 * postsuper). Two formats exist (postconf(5) enable_long_queue_ids, src/global/mail_queue.h):
 * - short (default): upper-case hex, 5 digits of microseconds then the inode number → 6+ chars;
 * - long: seconds (base 52, ≥ 6 chars) and microseconds (base 52, exactly 4), the separator `z`, then
 *   the inode number in base 51. The 52-character alphabet is digits and consonants without vowels
 *   (`0-9 BCDFGHJKLMNPQRSTVWXYZ bcdfghjklmnpqrstvwxyz`); base 51 drops `z`, so the last `z` separates.
 */
const SHORT_ID = /^[0-9A-F]{6,20}$/;
const LONG_ID = /^[0-9BCDFGHJ-NP-TV-Zbcdfghj-np-tv-z]{10,}z[0-9BCDFGHJ-NP-TV-Zbcdfghj-np-tv-y]{1,16}$/;
const MAX_LENGTH = 40;

export function isValidQueueId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length > MAX_LENGTH) return false;
  if (SHORT_ID.test(id)) return true;
  if (!LONG_ID.test(id)) return false;
  // The time part (before the last z) is at least 10 characters: 6 of seconds, 4 of microseconds.
  return id.lastIndexOf('z') >= 10;
}

export const QUEUE_ID_RULE =
  'a Postfix queue ID: upper-case hex such as 4F2A81C0D3, or a long ID such as 4bQ1Lf5Fdbz8Yj7 (digits and consonants, the last z separating the inode number)';
