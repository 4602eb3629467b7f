// Word count over input files, a data-bound example compute application.
//
//   wordcount [FILE...]
//
// Reads each FILE from the preopened /input directory (a bare name, or a path
// starting with /input/); with no FILE it reads every entry of /input in byte
// order of the names. A word is a maximal run of ASCII letters and digits and
// of bytes >= 0x80 (so UTF-8 words stay whole); ASCII letters are lowercased.
// Prints "word<TAB>count\n" for every word, sorted by the bytes of the word.
// Words are kept as raw bytes throughout: decoding them as strings would
// rewrite invalid UTF-8 and sort by UTF-16, and the output must be byte-exact.

import {
  fd,
  fd_close,
  fd_prestat_dir_name,
  fd_prestat_get,
  fd_read,
  fd_readdir,
  path_open,
  prestat,
  preopentype,
  errno,
  errnoToString,
  filetype,
  rights
} from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";
import { Bytes, fail, writeStdout } from "../shared/io";

const APP = "wordcount";
const INPUT = "/input";
const READ_BYTES: usize = 1 << 16;
const FLUSH_BYTES: usize = 1 << 16;
const DIRENT_SIZE: usize = 24;

// Scratch space for WASI out-parameters (fd, sizes, prestat, iovec).
const scratch = memory.data(32);

// ---- the word table: open addressing over words stored in one byte arena ----

const arena = new Bytes(1 << 16);
const wordBuffer = new Bytes(256);
// Per slot: offset in the arena, length, count (0 = empty) and hash.
let slots = new StaticArray<u32>(4 * 1024);
let slotMask: u32 = 1023;
let wordCount: u32 = 0;

function hashBytes(ptr: usize, len: usize): u32 {
  let h: u32 = 0x811c9dc5; // FNV-1a
  for (let i: usize = 0; i < len; i++) {
    h = (h ^ <u32>load<u8>(ptr + i)) * 0x01000193;
  }
  return h;
}

function addWord(ptr: usize, len: usize): void {
  const hash = hashBytes(ptr, len);
  let i = hash & slotMask;
  while (true) {
    const base = <i32>(i << 2);
    const count = unchecked(slots[base + 2]);
    if (count == 0) break;
    if (
      unchecked(slots[base + 3]) == hash &&
      <usize>unchecked(slots[base + 1]) == len &&
      memory.compare(arena.ptr + <usize>unchecked(slots[base]), ptr, len) == 0
    ) {
      unchecked(slots[base + 2] = count + 1);
      return;
    }
    i = (i + 1) & slotMask;
  }
  const base = <i32>(i << 2);
  unchecked(slots[base] = <u32>arena.length);
  unchecked(slots[base + 1] = <u32>len);
  unchecked(slots[base + 2] = 1);
  unchecked(slots[base + 3] = hash);
  arena.append(ptr, len);
  if (++wordCount * 2 > slotMask) growTable();
}

function growTable(): void {
  const old = slots;
  const mask = (slotMask << 1) | 1;
  const grown = new StaticArray<u32>(<i32>(mask + 1) * 4);
  for (let base = 0; base < old.length; base += 4) {
    if (unchecked(old[base + 2]) == 0) continue;
    let i = unchecked(old[base + 3]) & mask;
    while (unchecked(grown[<i32>(i << 2) + 2]) != 0) i = (i + 1) & mask;
    memory.copy(
      changetype<usize>(grown) + (<usize>i << 4),
      changetype<usize>(old) + (<usize>base << 2),
      16
    );
  }
  slots = grown;
  slotMask = mask;
}

// ---- counting ----

// @ts-ignore: decorator
@inline function isWordByte(b: u32): bool {
  return b >= 0x80 || b - 0x30 < 10 || (b | 0x20) - 0x61 < 26;
}

function endWord(): void {
  if (wordBuffer.length > 0) {
    addWord(wordBuffer.ptr, wordBuffer.length);
    wordBuffer.length = 0;
  }
}

function countFile(dir: fd, name: ArrayBuffer): void {
  const err = path_open(
    dir, 0, changetype<usize>(name), <usize>name.byteLength,
    0, rights.FD_READ, 0, 0, scratch
  );
  if (err != errno.SUCCESS) {
    fail(APP, "cannot open " + String.UTF8.decode(name) + ": " + errnoToString(err), 1);
    return;
  }
  const file = load<u32>(scratch);
  const buffer = heap.alloc(READ_BYTES);
  while (true) {
    store<usize>(scratch, buffer);
    store<usize>(scratch, READ_BYTES, sizeof<usize>());
    const readErr = fd_read(file, scratch, 1, scratch + 2 * sizeof<usize>());
    if (readErr != errno.SUCCESS) {
      fail(APP, "cannot read " + String.UTF8.decode(name) + ": " + errnoToString(readErr), 1);
      return;
    }
    const got = load<usize>(scratch, 2 * sizeof<usize>());
    if (got == 0) break;
    for (let p = buffer, end = buffer + got; p < end; p++) {
      let b = <u32>load<u8>(p);
      if (isWordByte(b)) {
        if (b - 0x41 < 26) b |= 0x20;
        wordBuffer.push(<u8>b);
      } else {
        endWord();
      }
    }
  }
  endWord(); // a word never spans two files
  heap.free(buffer);
  fd_close(file);
}

// ---- the /input directory ----

/** The preopened descriptor whose name is /input, or -1. */
function findInputDir(): i32 {
  const wanted = String.UTF8.encode(INPUT);
  // Preopens are numbered from 3 upwards with no gaps; the first EBADF ends them.
  for (let descriptor: u32 = 3; descriptor < 1024; descriptor++) {
    if (fd_prestat_get(descriptor, changetype<prestat>(scratch)) != errno.SUCCESS) return -1;
    if (load<u8>(scratch) != preopentype.DIR) continue;
    const nameLength = load<usize>(scratch, sizeof<usize>());
    if (nameLength > 4096) continue;
    const name = new ArrayBuffer(<i32>nameLength);
    if (fd_prestat_dir_name(descriptor, changetype<usize>(name), nameLength) != errno.SUCCESS) continue;
    // Some runtimes report a trailing NUL or slash; ignore them.
    let length = nameLength;
    while (length > 1 && (load<u8>(changetype<usize>(name) + length - 1) == 0 || load<u8>(changetype<usize>(name) + length - 1) == 0x2f)) length--;
    if (length == <usize>wanted.byteLength && memory.compare(changetype<usize>(name), changetype<usize>(wanted), length) == 0) {
      return <i32>descriptor;
    }
  }
  return -1;
}

/** Names of the non-directory entries of `dir`, unsorted. */
function listDir(dir: fd): ArrayBuffer[] {
  const names = new Array<ArrayBuffer>();
  let size: usize = 1 << 14;
  let buffer = heap.alloc(size);
  let cookie: u64 = 0;
  while (true) {
    const err = fd_readdir(dir, buffer, size, cookie, scratch);
    if (err != errno.SUCCESS) {
      fail(APP, "cannot list " + INPUT + ": " + errnoToString(err), 1);
      return names;
    }
    const used = load<usize>(scratch);
    let offset: usize = 0;
    let complete = 0;
    while (offset + DIRENT_SIZE <= used) {
      const entry = buffer + offset;
      const nameLength = <usize>load<u32>(entry, 16);
      if (offset + DIRENT_SIZE + nameLength > used) break; // truncated, fetch again
      const type = load<u8>(entry, 20);
      const namePtr = entry + DIRENT_SIZE;
      const dots = (nameLength == 1 && load<u8>(namePtr) == 0x2e) ||
        (nameLength == 2 && load<u16>(namePtr) == 0x2e2e);
      if (!dots && type != filetype.DIRECTORY) {
        const name = new ArrayBuffer(<i32>nameLength);
        memory.copy(changetype<usize>(name), namePtr, nameLength);
        names.push(name);
      }
      cookie = load<u64>(entry);
      offset += DIRENT_SIZE + nameLength;
      complete++;
    }
    if (used < size) break; // the host had no more entries
    if (complete == 0) {
      // One name does not fit: retry from the same cookie with more room.
      size <<= 1;
      buffer = heap.realloc(buffer, size);
    }
  }
  heap.free(buffer);
  return names;
}

// ---- sorting, without closures (AssemblyScript has none) ----

/** Byte-order comparison of two byte strings. */
function compareBytes(a: usize, aLength: usize, b: usize, bLength: usize): i32 {
  const common = aLength < bLength ? aLength : bLength;
  const order = memory.compare(a, b, common);
  if (order != 0) return order;
  return aLength < bLength ? -1 : aLength > bLength ? 1 : 0;
}

let sortNames: ArrayBuffer[] = [];

function compareNames(a: u32, b: u32): i32 {
  const x = unchecked(sortNames[a]), y = unchecked(sortNames[b]);
  return compareBytes(changetype<usize>(x), <usize>x.byteLength, changetype<usize>(y), <usize>y.byteLength);
}

/** Compares two table slots (given as slot base indices) by their words. */
function compareSlots(a: u32, b: u32): i32 {
  return compareBytes(
    arena.ptr + <usize>unchecked(slots[a]), <usize>unchecked(slots[a + 1]),
    arena.ptr + <usize>unchecked(slots[b]), <usize>unchecked(slots[b + 1])
  );
}

/** Stable bottom-up merge sort of `items` by `compare`. */
function mergeSort(items: StaticArray<u32>, compare: (a: u32, b: u32) => i32): StaticArray<u32> {
  const n = items.length;
  let from = items;
  let to = new StaticArray<u32>(n);
  for (let width = 1; width < n; width <<= 1) {
    for (let start = 0; start < n; start += width << 1) {
      const middle = min(start + width, n);
      const end = min(start + (width << 1), n);
      let i = start, j = middle, k = start;
      while (i < middle && j < end) {
        if (compare(unchecked(from[j]), unchecked(from[i])) < 0) unchecked(to[k++] = from[j++]);
        else unchecked(to[k++] = from[i++]);
      }
      while (i < middle) unchecked(to[k++] = from[i++]);
      while (j < end) unchecked(to[k++] = from[j++]);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  return from;
}

// ---- output ----

function printCounts(): void {
  const order = new StaticArray<u32>(<i32>wordCount);
  let k = 0;
  for (let base = 0; base < slots.length; base += 4) {
    if (unchecked(slots[base + 2]) != 0) unchecked(order[k++] = <u32>base);
  }
  const sorted = mergeSort(order, compareSlots);
  const out = new Bytes(FLUSH_BYTES + 64);
  const digits = memory.data(16);
  for (let n = 0; n < sorted.length; n++) {
    const base = unchecked(sorted[n]);
    out.append(arena.ptr + <usize>unchecked(slots[base]), <usize>unchecked(slots[base + 1]));
    out.push(0x09);
    let count = unchecked(slots[base + 2]);
    let d: usize = 16;
    do {
      store<u8>(digits + --d, <u8>(0x30 + count % 10));
      count /= 10;
    } while (count != 0);
    out.append(digits + d, 16 - d);
    out.push(0x0a);
    if (out.length >= FLUSH_BYTES) {
      writeStdout(APP, out.ptr, out.length);
      out.length = 0;
    }
  }
  if (out.length > 0) writeStdout(APP, out.ptr, out.length);
}

function main(): void {
  const dir = findInputDir();
  if (dir < 0) {
    fail(APP, "no preopened " + INPUT + " directory", 1);
    return;
  }
  const argv = process.argv;
  let names: ArrayBuffer[];
  if (argv.length > 1) {
    names = new Array<ArrayBuffer>();
    const prefix = INPUT + "/";
    for (let i = 1; i < argv.length; i++) {
      const arg = argv[i];
      names.push(String.UTF8.encode(arg.startsWith(prefix) ? arg.substring(prefix.length) : arg));
    }
  } else {
    const listed = listDir(<u32>dir);
    const order = new StaticArray<u32>(listed.length);
    for (let i = 0; i < listed.length; i++) unchecked(order[i] = <u32>i);
    sortNames = listed;
    const sorted = mergeSort(order, compareNames);
    names = new Array<ArrayBuffer>();
    for (let i = 0; i < sorted.length; i++) names.push(listed[unchecked(sorted[i])]);
  }
  for (let i = 0; i < names.length; i++) countFile(<u32>dir, names[i]);
  printCounts();
}

main();
