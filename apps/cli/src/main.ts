import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from './context';
import { describeFailure, ExitCode } from './exit';
import { type CliIo, currentIo, say, tell, withIo } from './output';

type CommandRunner<O extends GlobalOptions> = (options: O) => Promise<number>;

function buildProgram(setExitCode: (code: number) => void): Command {
  // Each command returns its exit code; commander itself only knows success or throw. Commands
  // are imported when they run, so `--help` and a mistyped flag never load the database drivers.
  const run =
    <O extends GlobalOptions>(load: () => Promise<CommandRunner<O>>) =>
    async (_options: unknown, cmd: Command) => {
      const command = await load();
      setExitCode(await command(cmd.optsWithGlobals<O>()));
    };

  const program = new Command('aclue-db')
    .description("Migrate, verify and operate Aclue's database (embedded by default).")
    .version(version, '-V, --version', 'print the version')
    // Every subcommand's --help lists the global flags too.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => currentIo().stdout.write(text),
      writeErr: (text) => currentIo().stderr.write(text),
      // Commander's own complaints (unknown flag, missing value): one line, our prefix, the hint.
      outputError: (message, write) =>
        write(`aclue-db: ${oneLine(message.replace(/^error: /, ''))} (run aclue-db --help)\n`),
    })
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, else embedded)'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'folder of the embedded database').env('ACLUE_DATA_DIR'),
    )
    .option(
      '--wait <seconds>',
      'wait up to <seconds> for another process to close the embedded database (default: refuse)',
    )
    .option('--json', 'print data as JSON')
    .option('--verbose', 'print stack traces of failures')
    .exitOverride();

  program
    .command('setup')
    .description('create or migrate the database and summarise what it holds')
    .action(run(async () => (await import('./commands/setup')).setupCommand));

  program
    .command('migrate')
    .description(
      'apply pending migrations (safe to run twice; on a server, concurrent runs take turns)',
    )
    .option('--dry-run', 'print the SQL that would run and change nothing')
    .option('--migrations-dir <dir>', "migrations folder (default: @aclue/db's committed ones)")
    .action(run(async () => (await import('./commands/migrate')).migrateCommand));

  program
    .command('status')
    .description('applied and pending migrations with checksums (exit 1 if history was altered)')
    .option('--migrations-dir <dir>', "migrations folder (default: @aclue/db's committed ones)")
    .action(run(async () => (await import('./commands/status')).statusCommand));

  program
    .command('baseline')
    .description(
      'record the migrations as applied on a database built without them (push, a dump), once its schema is proved equal to them',
    )
    .option('--migrations-dir <dir>', "migrations folder (default: @aclue/db's committed ones)")
    .action(run(async () => (await import('./commands/baseline')).baselineCommand));

  program
    .command('push')
    .description(
      'drizzle-kit push, then repair what it drops (policy expressions, triggers, grants, comments) and verify',
    )
    .option('--allow-data-loss', 'apply even when drizzle-kit reports the push would lose data')
    .action(run(async () => (await import('./commands/push')).pushCommand));

  program
    .command('drift')
    .description(
      'compare schema code, committed migrations and the live database, and lint the migrations (exit 1 on drift)',
    )
    .option('--migrations-dir <dir>', "migrations folder (default: @aclue/db's committed ones)")
    .option('--scratch', 'compare a throwaway embedded database built from the migrations instead')
    .action(run(async () => (await import('./commands/drift')).driftCommand));

  program
    .command('monitor')
    .description(
      'sizes, index usage, scans, cache, vacuum, slow statements, connections, business metrics',
    )
    .option('--watch <seconds>', 'refresh every <seconds> until interrupted')
    .option('--iterations <n>', 'with --watch: stop after <n> refreshes')
    .action(run(async () => (await import('./commands/monitor')).monitorCommand));

  program
    .command('rollback')
    .description('export, then drop the five deployment tables (emergency procedure)')
    .option('--yes', 'confirm: the tables are dropped after the export')
    .option('--export-dir <dir>', 'where the data export is written first')
    .action(run(async () => (await import('./commands/rollback')).rollbackCommand));

  program
    .command('restore')
    .description(
      'load a rollback export back into the recreated tables (one transaction, counts checked)',
    )
    .option('--from <dir>', 'the folder rollback exported to')
    .action(run(async () => (await import('./commands/restore')).restoreCommand));

  const partitions = program
    .command('partitions')
    .description(
      'list the monthly partitions of the partitioned tables (product_views); `partitions maintain` creates the coming months',
    )
    .action(run(async () => (await import('./commands/partitions')).partitionsCommand));
  partitions
    .command('maintain')
    .description(
      'create the partitions of the coming months (and from --from), moving stray rows out of the default one; run daily',
    )
    .option('--ahead <months>', "months after the current one (default: each table's declared)")
    .option('--from <YYYY-MM>', 'also create every month from this one (backfills)')
    .action(run(async () => (await import('./commands/partitions')).maintainCommand));

  const rollups = program
    .command('rollups')
    .description(
      "how far the analytics' daily rollups are behind (days still read from raw rows); `rollups refresh` catches them up",
    )
    .action(run(async () => (await import('./commands/rollups')).rollupsCommand));
  rollups
    .command('refresh')
    .description(
      'recompute the rollups of every day written to since its last refresh, today excepted; run every few minutes',
    )
    .option('--before <YYYY-MM-DD>', 'refresh only days before this one')
    .action(run(async () => (await import('./commands/rollups')).refreshCommand));

  program
    .command('retention')
    .description(
      'anonymise personal data past its days, archive partitions past the months kept to --export-dir, then drop them',
    )
    .option('--export-dir <dir>', 'where expired partitions are archived (JSON lines) first')
    .option(
      '--anonymise-after <days>',
      "days raw IP addresses and user agents are kept (default: each table's declared)",
    )
    .option(
      '--keep-months <n>',
      "whole months of partitions kept before this one (default: each table's declared)",
    )
    .option('--dry-run', 'list the partitions that would be archived, change nothing')
    .action(run(async () => (await import('./commands/retention')).retentionCommand));

  program
    .command('seed')
    .description('insert realistic synthetic data (deterministic per --seed), with progress')
    .option('--users <n>', 'registered users to simulate (at most 1,000,000)', '100')
    .option('--days <n>', 'days of history (at most 3650)', '30')
    .option('--seed <n>', 'random seed: the same seed gives the same data', '1')
    .action(run(async () => (await import('./commands/seed')).seedCommand));

  program
    .command('verify')
    .description('prove the live database is what the schema declares (exit 1 on any failure)')
    .option('--schema <name>', 'schema to verify', 'public')
    .option('--table <names...>', 'only these tables')
    .option('--junit <file>', 'also write a JUnit XML report to <file>')
    .option(
      '--data',
      'also prove the stored rows intact: amcheck on every B-tree index, every foreign key and check re-validated',
    )
    .option('--all', 'list passing checks too')
    .action(run(async () => (await import('./commands/verify')).verifyCommand));

  return program;
}

const oneLine = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** What a bare `aclue-db` prints: the commands in a few lines, on stdout. */
const shortUsage = (program: Command) =>
  [
    'Usage: aclue-db [options] <command>',
    '',
    ...program.commands.map((c) => `  ${c.name().padEnd(9)} ${c.description().split(' (')[0]}`),
    '',
    "Run `aclue-db <command> --help` for a command's flags, `aclue-db --help` for the global ones.",
  ].join('\n');

/**
 * Runs the CLI and returns its exit code; never throws. It prints to `io` (the process's streams
 * by default), so a program, or a test, can run it in-process.
 */
export function main(argv: string[], io?: CliIo): Promise<number> {
  return io ? withIo(io, () => run(argv)) : run(argv);
}

async function run(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  if (argv.length <= 2) {
    say(shortUsage(program));
    return ExitCode.ok;
  }
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully; commander already printed why.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.cannotRun;
    }
    const failure = describeFailure(error);
    tell(`aclue-db: ${failure.message}`);
    if (program.opts().verbose && error instanceof Error && error.stack) tell(error.stack);
    return failure.code;
  }
}
