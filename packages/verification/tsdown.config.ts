import { packageBuild } from '../../tooling/tsdown.config.ts';

export default packageBuild({ index: 'src/index.ts', monitor: 'src/monitor.ts' });
