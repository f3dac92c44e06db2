import { runStageCli } from '@apollo/stage';
import { dedupeStage } from '@apollo/dedupe';

runStageCli(dedupeStage, __filename);
