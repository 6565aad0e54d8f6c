import { packageBuild } from '../../tooling/tsdown.config.ts';

export default packageBuild({ index: 'src/index.ts', main: 'src/main.ts' });
