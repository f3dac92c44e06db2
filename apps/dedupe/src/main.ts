import { runStageCli } from '@apollo/stage';
import { PIPELINE_CATALOG } from '@apollo/pipeline-config';
import { dedupeStage } from '@apollo/dedupe';

runStageCli(dedupeStage, __filename, PIPELINE_CATALOG);
