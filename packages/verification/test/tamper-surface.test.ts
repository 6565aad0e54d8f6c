import { tamperSuite } from './tamper-suite';
import { surfaceTamperings } from './tamperings/surface';

tamperSuite('the exposed surface', surfaceTamperings);
