import { runStageCli } from '@apollo/stage';
import { PIPELINE_CATALOG } from '@apollo/pipeline-config';
import { convertStage } from '@apollo/shards';

runStageCli(convertStage, __filename, PIPELINE_CATALOG);
