import { runStageCli } from '@apollo/stage';
import { crawlStage } from '@apollo/ingest';

runStageCli(crawlStage, __filename);
