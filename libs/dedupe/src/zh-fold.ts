/**
 * Traditional -> simplified Chinese folding for duplicate matching, so a traditional copy of a
 * simplified text (or the reverse) normalizes to the same characters and collides.
 *
 * The table holds about 1,080 frequent one-to-one pairs (everyday vocabulary plus the medical
 * field: 醫->医, 藥->药, 療->疗, 診->诊, 臟->脏, 癥->症 ...), following the Unicode Unihan
 * database's kSimplifiedVariant field and the 2013 General Standard Chinese Characters table;
 * it was written out by hand for this project, not copied from a data file. Characters whose
 * traditional form is also a distinct everyday character with another simplified form
 * (乾/干/幹, 著/着, 藉, 瞭) are left out or folded to their dominant reading: a wrong fold costs
 * a little matching precision, never a changed output text, since only the matching form is
 * folded. Folding is one code point to one code point.
 */
const PAIRS: readonly string[] = [
  '囑嘱醫医藥药療疗診诊腦脑臟脏髒脏體体後后發发髮发門门們们間间問问開开關关閉闭聞闻閱阅東东車车軍军輕轻較较載载輪轮輸输轉转連连運运進进還还這这遠远選选過过達达適适邊边',
  '遲迟遞递遺遗遼辽邏逻郵邮鄉乡鄰邻醬酱釋释裡里裏里來来個个為为爲为會会說说話话語语讀读寫写認认識识計计記记訊讯討讨訓训設设許许論论證证評评詞词試试詩诗誌志誤误請请',
  '諸诸謝谢講讲謂谓護护讓让變变議议譯译調调談谈諮咨詢询該该詳详誠诚誰谁課课諾诺謀谋謹谨譜谱時时長长現现實实學学國国對对種种點点樣样將将經经無无與与當当從从應应義义',
  '頭头題题類类顯显願愿須须預预領领頻频額额顏颜風风飛飞馬马驗验驚惊騎骑魚鱼鳥鸟鳴鸣雞鸡鷄鸡雜杂難难離离電电雲云雙双隻只陽阳陰阴陳陈隊队階阶際际隨随險险陸陆廣广廠厂',
  '廢废張张強强彈弹歸归錄录錢钱鐵铁銀银針针鐘钟鍾钟錯错鏡镜鋼钢鎮镇鍋锅鎖锁銷销鋪铺閃闪閒闲閣阁闊阔陣阵隱隐雖虽響响頁页頂顶項项順顺頓顿頸颈頰颊顆颗顧顾飯饭飲饮飽饱',
  '飼饲餅饼養养餘余館馆饑饥飢饥鬆松鬥斗鬧闹麥麦麵面黃黄齊齐齒齿齡龄龍龙龜龟愛爱氣气紀纪約约紅红級级納纳紙纸純纯紛纷細细終终組组結结絕绝給给統统絲丝綠绿維维網网緊紧',
  '緒绪線线綫线編编緩缓練练縣县總总績绩織织繼继續续纖纤縮缩繫系係系紋纹絡络綜综緣缘縱纵繞绕纏缠紗纱紡纺紮扎絞绞綁绑綢绸緝缉緞缎締缔縫缝縛缚繃绷繩绳繪绘糾纠產产産产',
  '畫画異异疊叠癒愈癢痒癥症瘡疮瘧疟瘍疡瘋疯癱瘫癮瘾瘺瘘瘻瘘痺痹瘓痪癇痫癲癫痙痉癤疖癬癣痲麻衛卫衝冲補补裝装製制複复復复襪袜襯衬見见規规視视親亲覺觉覽览觀观觸触貝贝',
  '負负財财貢贡貨货販贩貧贫責责貴贵買买費费貼贴貿贸資资賓宾賣卖質质賬账賴赖購购賽赛贈赠贊赞讚赞贏赢趕赶趙赵跡迹蹟迹踐践蹤踪躍跃軟软輔辅輛辆輯辑辦办辭辞農农鄭郑醜丑',
  '鈣钙鉀钾鈉钠鋅锌鎂镁銅铜鋁铝鉛铅錳锰鈷钴鎘镉銨铵鹽盐鹼碱氫氢腸肠膽胆膚肤臉脸腎肾脈脉脹胀腫肿膿脓臍脐臨临臥卧興兴舉举舊旧艱艰艷艳藝艺節节範范築筑簡简籃篮籌筹簽签',
  '籤签糧粮萬万葉叶蘇苏藍蓝蘭兰蔔卜蘿萝薑姜蔥葱蘋苹蓋盖蒼苍蓮莲獲获穫获獨独獎奖奬奖獸兽狀状猶犹報报場场塊块壞坏壓压塵尘墊垫壇坛壯壮聲声處处備备夠够夢梦奪夺奮奋婦妇',
  '媽妈嬰婴孫孙寶宝寧宁審审導导壽寿尋寻層层屬属歲岁島岛嶺岭巖岩帥帅師师帳帐帶带幣币幫帮幾几庫库廳厅彎弯徑径徹彻態态憂忧憶忆懷怀懸悬戀恋戰战戲戏戶户掃扫掛挂揚扬換换',
  '損损搖摇搶抢撥拨擁拥擇择擊击擔担據据擠挤擴扩擺摆擾扰攝摄敗败敵敌數数斷断書书晝昼暈晕曆历歷历曉晓條条棄弃棟栋楊杨業业極极榮荣構构槍枪標标樂乐樓楼樹树橋桥機机檢检',
  '檯台臺台颱台櫃柜權权歡欢殘残殺杀毀毁決决沒没溝沟滅灭湯汤溫温滿满漢汉潔洁濃浓濕湿溼湿濟济濱滨瀏浏灣湾災灾烏乌煙烟熱热燈灯營营爐炉爭争爺爷牆墙犧牺獻献環环瑪玛畝亩',
  '畢毕疇畴盡尽監监盤盘眾众衆众睏困矯矫確确礎础礙碍禍祸禮礼禱祷稱称穩稳窮穷竊窃競竞筆笔箏筝粵粤糞粪聖圣聯联聰聪聽听職职肅肃脅胁膠胶艙舱蟲虫蠶蚕蝦虾蠅蝇螞蚂蟻蚁術术',
  '襲袭覓觅訂订託托訴诉詐诈誇夸誕诞誘诱諒谅謊谎謠谣譏讥貓猫豐丰豬猪賀贺賠赔賤贱賦赋賢贤軌轨軸轴辯辩遷迁遙遥釀酿鈴铃鋒锋錦锦鍵键鏈链鑰钥鑽钻閥阀闆板闖闯隸隶霧雾靈灵',
  '靜静韓韩頒颁頗颇顛颠颳刮飄飘餓饿駐驻駕驾騙骗驅驱驟骤髖髋鬚须魯鲁鮮鲜鯨鲸鱗鳞鴨鸭鵝鹅鷹鹰鹹咸麗丽黨党嚨咙嚥咽惡恶噁恶嘔呕燒烧兒儿傳传併并並并創创傷伤鬱郁慮虑週周',
  '徵征爾尔內内測测嚴严動动圖图劑剂勞劳齦龈瞼睑餵喂礦矿鍛锻鍊炼煉炼減减則则專专務务員员區区準准於于號号碼码優优勢势劃划參参協协註注冊册檔档習习麼么嗎吗涼凉華华鳳凤',
  '園园圓圆團团圍围廟庙廈厦傘伞錶表褲裤檸柠羣群億亿兩两價价勝胜憲宪貸贷債债稅税賺赚虧亏卻却腳脚倫伦偉伟側侧偵侦傑杰傾倾僅仅儀仪儉俭儲储凍冻淨净凈净剛刚剝剥劇剧劍剑',
  '勵励勸劝厲厉叢丛吳吴啟启喚唤喪丧單单嚇吓壘垒夥伙奧奥妝妆寬宽寵宠屆届屍尸屢屡岡冈崗岗嶄崭廚厨彌弥彙汇匯汇彥彦悅悦惱恼慚惭慣惯慘惨慶庆憐怜憑凭憤愤懇恳懲惩懶懒撫抚',
  '撲扑撐撑擬拟攔拦攜携攤摊敘叙斂敛斬斩暫暂曬晒朧胧桿杆棧栈楓枫槓杠樁桩橢椭櫻樱欄栏歐欧歎叹嘆叹殼壳毆殴氈毡汙污沖冲況况淚泪淺浅渾浑湧涌滄沧滬沪滯滞滲渗滷卤滾滚漁渔',
  '漲涨漸渐潑泼潛潜澀涩澤泽濁浊濾滤瀉泻瀝沥灑洒灘滩烴烃煩烦燙烫燦灿爛烂牽牵犢犊狹狭猙狰獄狱獵猎琺珐瑣琐瓊琼甕瓮盃杯盜盗盞盏睜睁瞞瞒祕秘禪禅穀谷積积穎颖窩窝窯窑竄窜',
  '竅窍筍笋篩筛簾帘籠笼糰团罰罚罷罢羅罗翹翘聳耸膩腻艦舰莊庄萊莱葦苇蔣蒋薦荐薩萨虛虚蝕蚀蠟蜡襖袄訣诀詛诅詠咏誼谊諧谐諷讽謎谜謙谦譁哗譽誉豈岂貞贞貫贯賊贼賜赐賞赏贖赎',
  '趨趋躋跻軀躯輝辉轄辖轟轰遜逊醞酝釘钉釣钓鈍钝鈔钞鉤钩銳锐鋸锯錘锤鎊镑鏟铲鐮镰鑄铸鑑鉴鑒鉴閘闸閩闽闡阐陝陕隕陨雋隽靂雳韁缰韌韧韻韵頌颂頑顽顎颚顫颤颶飓飪饪饞馋馮冯',
  '馭驭駁驳駛驶駝驼駭骇騰腾驢驴驕骄骯肮鬍胡鮑鲍鯉鲤鯊鲨鴿鸽鵬鹏鶴鹤黴霉齋斋龐庞醣糖錠锭瘂哑啞哑聾聋臘腊蠍蝎絨绒綿绵緬缅縷缕繭茧罈坛罌罂翺翱聶聂脣唇脫脱膕腘臏膑臚胪',
  '艤舣芻刍茲兹莖茎萵莴葷荤蒓莼蔭荫薈荟薊蓟藹蔼蘊蕴虜虏蟬蝉蠣蛎衊蔑裊袅褻亵覬觊訃讣訛讹訟讼訝讶詆诋詬诟詭诡誅诛誣诬誦诵諂谄諫谏諭谕謁谒謗谤謬谬譖谮譴谴讒谗讖谶豎竖',
  '貪贪貶贬貽贻賄贿賂赂賑赈賒赊賻赙贅赘贍赡趲趱蹌跄蹺跷躉趸躊踌躑踯軋轧軔轫軛轭軻轲輒辄輟辍輥辊輻辐輾辗轍辙轎轿迴回',
  // Found missing when OpenCC's Taiwan and Hong Kong conversions of real texts were matched
  // (libs/dedupe/eval): Hong Kong forms (衞, 説, 牀) and common characters.
  '宮宫説说嘗尝牀床儘尽籲吁顱颅訪访別别潰溃衞卫',
];

let table: Map<number, string> | undefined;

/** The table as code point -> simplified character (built on first use). */
export function traditionalToSimplifiedTable(): ReadonlyMap<number, string> {
  if (!table) {
    table = new Map();
    for (const line of PAIRS) {
      const chars = [...line];
      for (let i = 0; i + 1 < chars.length; i += 2) table.set(chars[i]!.codePointAt(0)!, chars[i + 1]!);
    }
  }
  return table;
}

// Every traditional character of the table is a BMP CJK ideograph; testing for one first keeps
// text without Chinese (most of the corpus) on a fast path.
const HAN = /[\u3400-\u9fff]/u;

/** Replaces the traditional characters of the table by their simplified forms. */
export function foldTraditionalChinese(text: string): string {
  if (!HAN.test(text)) return text;
  const t = traditionalToSimplifiedTable();
  let out = '';
  let changed = false;
  for (const ch of text) {
    const s = t.get(ch.codePointAt(0)!);
    if (s !== undefined) {
      out += s;
      changed = true;
    } else out += ch;
  }
  return changed ? out : text;
}
