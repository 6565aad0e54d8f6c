export { type DeclaredTable, declaredTables, renderPolicy } from './declared';
export { runLints } from './lints';
export { formatJunit, formatText, summaryLine } from './report';
export type { CheckCategory, CheckResult } from './results';
export {
  VerificationError,
  type VerificationReport,
  type VerifyOptions,
  verify,
} from './verify';
