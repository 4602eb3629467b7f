/**
 * Every option of the public API is documented: each property of the
 * option interfaces below has a doc comment that says what it is and an
 * `@default` tag (typedoc shows it in the API reference, `npm run docs`).
 * The list is explicit: a new public options interface is added here.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { ROOT } from '../helpers/cli.js'

/** Source file (from the package root) => the option interfaces it exports. */
const OPTION_INTERFACES: Record<string, string[]> = {
  'src/options.ts': ['NodeOptions'],
  'bootstrap/options.ts': ['BootstrapOptions'],
  'src/sharing/search.ts': ['SearchOptions'],
  'src/sharing/get-file.ts': ['GetOptions'],
  'src/sharing/sharing-service.ts': ['SharingInit'],
  'src/sharing/share-store.ts': ['ShareOptions', 'ShareStoreInit'],
  'src/sharing/folder-watcher.ts': ['FolderWatcherInit'],
  'src/sharing/index-server.ts': ['IndexServerInit'],
  'src/sharing/search-server.ts': ['SearchServerInit'],
  'src/sharing/transfer/types.ts': ['DownloadOptions'],
  'src/sharing/transfer/server.ts': ['TransferServerInit'],
  'src/sharing/dht/search.ts': ['DhtSearchOptions', 'FindProvidersOptions'],
  'src/sharing/dht/announcer-options.ts': ['DhtAnnouncerInit'],
  'src/compute/model/types.ts': ['JobInput', 'UnitSpecInput'],
  'src/compute/model/job-spec.ts': ['ValidateOptions'],
  'src/compute/client/compute-client.ts': ['ComputeClientInit', 'WatchOptions', 'ResultsOptions', 'RetryOptions'],
  'src/compute/client/write-results.ts': ['WriteResultsOptions'],
  'src/compute/provider/provider-types.ts': ['ComputeProviderInit'],
  'src/compute/sandbox/types.ts': ['RunUnitOptions'],
  'bootstrap/compute/compute-server.ts': ['ComputeServerInit'],
  'bootstrap/compute/scheduler-types.ts': ['SchedulerOptions'],
  'bootstrap/election/election.ts': ['ElectionInit']
}

interface PropertyDoc { name: string, text: string, defaults: string[] }

/** The exported interface `name` of `file`, each property with its doc text and its `@default` tags. */
function interfaceDocs (file: string, name: string): PropertyDoc[] | undefined {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true)
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration =>
    ts.isInterfaceDeclaration(s) && s.name.text === name && (s.modifiers?.some(m => m.kind === ts.SyntaxKind.ExportKeyword) ?? false))
  if (decl == null) return undefined
  return decl.members.filter(m => m.name != null).map(m => {
    const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc)
    const text = docs.map(d => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ').trim()
    const defaults = ts.getJSDocTags(m).filter(t => t.tagName.text === 'default').map(t => ts.getTextOfJSDocComment(t.comment) ?? '')
    return { name: m.name?.getText(source) ?? '?', text, defaults }
  })
}

describe('public API: every option is documented with @default', () => {
  for (const [file, names] of Object.entries(OPTION_INTERFACES)) {
    for (const name of names) {
      describe(`${name} (${file})`, () => {
        const props = interfaceDocs(file, name)

        it('is exported there and has properties', () => {
          assert.ok(props != null, `${file} exports no interface ${name}`)
          assert.ok(props.length > 0, `${name} has no properties`)
        })

        it('says what each property is', () => {
          const bare = (props ?? []).filter(p => p.text.length === 0).map(p => p.name)
          assert.deepEqual(bare, [], `properties of ${name} without a description: ${bare.join(', ')}`)
        })

        it('gives each property an @default tag with a value', () => {
          const missing = (props ?? []).filter(p => p.defaults.length !== 1 || p.defaults[0].trim() === '').map(p => p.name)
          assert.deepEqual(missing, [], `properties of ${name} without one "@default <value>" tag (write "@default none (required)" when there is none): ${missing.join(', ')}`)
        })
      })
    }
  }
})
