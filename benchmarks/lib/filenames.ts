/**
 * Realistic shared-file names for the filters benchmark: music, photos,
 * documents, videos, archives and e-books, built from a vocabulary of
 * common words, names, years and camera/codec tokens, the way people's
 * download folders look. Deterministic for a seed.
 */

/** A small deterministic PRNG (mulberry32). */
export class Rng {
  private s: number
  constructor (seed: number) { this.s = seed >>> 0 }
  next (): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int (n: number): number { return Math.floor(this.next() * n) }
  pick<T> (xs: readonly T[]): T { return xs[this.int(xs.length)] }
}

export const WORDS = `love night dream summer winter river ocean mountain city road home heart light dark fire rain snow wind star moon sun
blue red green golden silver black white wild free lost found broken young old new last first little big sweet
song dance party live acoustic remix edit version demo session concert tour album single mix radio
holiday trip vacation wedding birthday family kids beach garden park school office meeting project report invoice
budget plan draft final review notes summary slides presentation proposal contract letter resume thesis chapter lecture
guide manual tutorial recipe cooking travel photo picture portrait landscape sunset sunrise forest lake island desert
paris london berlin tokyo rome madrid lisbon vienna prague dublin oslo helsinki athens cairo sydney toronto boston
chicago seattle denver austin miami quebec geneva zurich milan naples venice florence lyon marseille bordeaux
anna maria john paul peter james david michael sarah laura emma sophie lucas louis hugo jules chloe alice marc
beethoven mozart bach chopin vivaldi debussy satie ravel brahms handel schubert verdi puccini wagner
episode season pilot finale trailer documentary interview behind scenes bonus extended cut directors
invoice receipt statement tax return payroll quarterly annual monthly weekly daily backup archive export import
database server client config settings script source build release patch update install setup driver firmware
chess poker football tennis soccer basketball marathon cycling yoga fitness running hiking climbing sailing
history science physics chemistry biology math geometry algebra calculus statistics economics philosophy art music`
  .split(/\s+/).filter(w => w !== '')

/** Words never used in names: realistic queries that miss. */
export const HELD_OUT = `quartz velvet harbor lantern meadow canyon glacier orchid falcon thunder whisper crystal ember willow
saffron cobalt jasmine tundra marble pepper cinnamon lavender maple cedar aspen birch cypress juniper magnolia
kestrel heron osprey condor pelican sparrow robin finch swallow raven magpie badger otter beaver marten ferret
tractor bicycle scooter trolley gondola ferry zeppelin rocket satellite telescope microscope compass sextant
anchovy sardine mackerel herring lobster oyster mussel squid octopus dolphin walrus narwhal penguin albatross`
  .split(/\s+/).filter(w => w !== '')

const EXT = {
  music: ['mp3', 'flac', 'ogg', 'm4a'],
  photo: ['jpg', 'jpeg', 'png', 'heic'],
  doc: ['pdf', 'docx', 'odt', 'txt', 'xlsx', 'pptx'],
  video: ['mkv', 'mp4', 'avi', 'webm'],
  archive: ['zip', 'tar.gz', '7z'],
  book: ['epub', 'pdf', 'mobi']
}

const cap = (w: string): string => w[0].toUpperCase() + w.slice(1)
const pad = (n: number, d = 2): string => String(n).padStart(d, '0')

/** One realistic file name. */
export function fileName (rng: Rng): string {
  const w = (): string => rng.pick(WORDS)
  const year = 1995 + rng.int(31)
  switch (rng.int(6)) {
    case 0: return `${pad(1 + rng.int(20))} - ${cap(w())} ${cap(w())} - ${cap(w())} ${cap(w())}.${rng.pick(EXT.music)}`
    case 1: return rng.int(2) === 0
      ? `IMG_${year}${pad(1 + rng.int(12))}${pad(1 + rng.int(28))}_${pad(rng.int(24))}${pad(rng.int(60))}${pad(rng.int(60))}.${rng.pick(EXT.photo)}`
      : `${cap(w())}-${w()}-${year}-${pad(rng.int(300), 3)}.${rng.pick(EXT.photo)}`
    case 2: return `${cap(w())}_${cap(w())}_${year}_${rng.pick(['v1', 'v2', 'final', 'draft', 'Q1', 'Q2', 'Q3', 'Q4'])}.${rng.pick(EXT.doc)}`
    case 3: return `${cap(w())}.${cap(w())}.${year}.${rng.pick(['720p', '1080p', '2160p'])}.${rng.pick(['x264', 'x265', 'HEVC'])}.${rng.pick(EXT.video)}`
    case 4: return `${w()}-${w()}-backup-${year}${pad(1 + rng.int(12))}.${rng.pick(EXT.archive)}`
    default: return `${cap(w())} ${cap(w())} - ${cap(w())} of the ${cap(w())} (${year}).${rng.pick(EXT.book)}`
  }
}
