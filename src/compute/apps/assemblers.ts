/**
 * Assembly: a job's `assemble` names a step that makes one file of its
 * units' outputs once every unit is valid. The generic results writer
 * (src/compute/client/write-results.ts) looks the step up here; each
 * application brings its own.
 */
import { assembleMandelbrotPng, mandelbrotSize } from './mandelbrot.js'
import type { ASSEMBLERS } from '../model/job-spec.js'
import type { ResolvedJob } from '../model/types.js'

export interface Assembler {
  /** the file it writes in the results folder */
  file: string
  /** the file's bytes, from the units' stdout in unit order; throws RangeError for a job it cannot assemble */
  assemble: (job: Pick<ResolvedJob, 'range' | 'units'>, stdouts: Uint8Array[]) => Uint8Array
}

/** One step per name a job may give (job-spec.ts's ASSEMBLERS): a name without its step does not compile. */
export const BUILTIN_ASSEMBLERS: Record<typeof ASSEMBLERS[number], Assembler> = {
  'mandelbrot-png': {
    file: 'image.png',
    assemble: (job, bands) => {
      const { width, height } = mandelbrotSize(job)
      return assembleMandelbrotPng(width, height, bands)
    }
  }
}
