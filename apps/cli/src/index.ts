export { main } from './main';
export type { CliIo } from './output';
