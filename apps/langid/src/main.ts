import { runStageCli } from '@apollo/stage';
import { PIPELINE_CATALOG } from '@apollo/pipeline-config';
import { langidStage } from '@apollo/langid';

runStageCli(langidStage, __filename, PIPELINE_CATALOG);
