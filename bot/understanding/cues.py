"""Cues of who, when and how a message asks: features of the intent model (intent_model.py).

Character n-grams see endings and words, but not what the classes turn on: a request for a
person is a person (担当の方, someone), an act of contact (お電話, 打ち合わせ, call) and a way of
asking (〜いただけますか, お願いできますか, could you), in any order and any register; an incident
report differs from a question about incidents by whose it is (弊社の vs 取引先が, a friend's),
by when (今朝, 先ほど, just now vs 去年, 以前) and by what the writer wants (どうすれば, help vs
補償されますか, 心配です). Each cue below names one of these as a word class, written for the
prepared text (NFKC, lower case, katakana folded to hiragana, as intents.py prepares it), so
the model weighs a class of words once instead of every spelling separately, and pairs of cues
(person and contact, a third party and an incident word) become features a linear model cannot
form by itself.

These are classes of words, not phrases from any example; what each weighs is learned from
content/intent_examples.yaml.
"""

from __future__ import annotations

import re

from bot.normalize import to_hiragana


def _re(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{to_hiragana(p)})" for p in patterns))


CUES: dict[str, re.Pattern[str]] = {
    # -- requests for a person ---------------------------------------------------------------
    # someone to talk to: a role, a person, "someone"
    "person": _re(
        r"担当(?!いたし|します|しま|して|させ|してお)|有人|営業(?!時間|日|停止|損|秘密|できな|中)|代理店|オペレーター|スタッフ|専門(家|の方|の人|スタッフ)|詳しい(人|方)|"
        r"人間|生身|どなたか|誰か|だれか|どなた|(御社|貴社|そちら|保険会社)の(方|人|かた)|(の|な)(方|かた)(と|に|から|へ|を)|"
        r"(^|[^個法本友知他恋])人(と|に|へ|を|が|から)|ひとと|ひとに|窓口の(人|方)|アドバイザー|プロの方|"
        r"\b((agent|person|human|rep|representative|salesperson|advisor|adviser|specialist|broker|agency|expert|"
        r"executive|operator|account manager)s?|someone|somebody|anyone|anybody|staff|sales|whoever|your team|"
        r"your people|people)\b"),
    # an act of contact: call, mail, meet, visit, talk, connect, introduce
    "contact": _re(
        r"連絡|電話|でんわ|\btel\b|折り返し|一報|面談|面会|打ち合わせ|打合せ|お打ち合わせ|お会い|会って|会いし|顔合わせ|"
        r"来社|来訪|訪問|ご足労|来て|来てもら|来てくれ|いらして|伺|呼ん|呼んで|呼び|説明(に|を|して|いただ|してもら|を受け)|ご説明|相談|"
        r"話(し|す|せ|を|さ)|お話|はなし|しゃべ|やりとり|やり取り|つな|繋|取次|取り次|紹介|アポ|同席|zoom|teams|オンライン(で|面談)|"
        r"\b(call|calls|phone|ring|callback|call back|email me|e-mail me|contact|contacted|reach out|get in touch|"
        r"follow up|meet|meeting|visit|come by|consultation|talk|speak|chat with|discuss|appointment|walk us through|"
        r"hop on|jump on|set up|schedule|arrange|connect|transfer|put me|introduce|introduction)\b"),
    # a way of asking someone to do something (polite or plain)
    "request": _re(
        r"いただけ(ます|ません|る|れば|ない|たら|ると)|いただき(たい|たく)|いただくこと|いただければ|頂け|頂き(たい|たく)|"
        r"頂戴|賜|お願い(でき|いた|します|したい|申し上げ|を)|おねがい|ください|下さい|くださ|ほしい|欲しい|"
        r"もらえ(ます|ません|る|ない|たら|ると)|もらいたい|もらう(こと|ことって)|くれ(ます|ません|る|ない|たら)|くれな|"
        r"させて(いただ|ください|ほしい|もら)|希望|できれば|助かります|幸い|幸甚|ありがたい|嬉しい|うれしい|"
        r"(でき|い)ればと|たく存じ|したいので|(話|相談|説明|会い|聞き)たい|"
        r"\b(please|pls|plz|kindly|could you|can you|would you|could someone|can someone|would someone|could a|"
        r"can a|could we|can we|shall we|(could|can|would) (one|any|some) of|i'd like|i would like|i want|i wish|i'd appreciate|i'd prefer|i'd rather|i'd love|we'd like|"
        r"we would like|we'd appreciate|have (someone|an agent|a rep|your|one of)|get me|let me|i need|we need|"
        r"need to talk|any chance)\b"),
    # is there someone (available) / can I reach one
    "available": _re(
        r"(い|おら|おり|いらっしゃい|いらっしゃ)(る|ます|ません|ない|ん)(か|\?|$|の)|いる\?|いる$|いない\?|いますか|いませんか|"
        r"おらん|\b(is there|are there|anyone|anybody|available)\b"),
    # -- product questions that mention people or phones ------------------------------------
    # the process: must I, without, online only, by phone or web
    "process": _re(
        r"必要(ですか|でしょうか|ですよね|がありますか|あります|\?)|要りますか|いりますか|なくても|ずに|せずに|なしで|"
        r"だけで|のみ|完結|経由(で|の)|それとも|\b(without|need to|do i need|have to|must i|only online|all online|"
        r"or can i|or is it)\b"),
    # a service or line that exists: 24時間の窓口, 受付, hotline
    "service": _re(
        r"窓口(は|って|が|の)|受付|受け付け|24時間|365日|何時まで|夜間|休日|土日|付帯|サービス|番号は|"
        r"\b(hotline|line|24/7|24h|support|service|services)\b"),
    # -- incidents: whose, when, what the writer wants ---------------------------------------
    # words of an incident (any tense, anyone's)
    "incident_word": _re(
        r"ランサム|ウイルス|ウィルス|マルウェア|エモテット|emotet|トロイ|キーロガー|感染|漏え|漏洩|漏れ|流出|不正|乗っ取|のっと|"
        r"ハッキング|ハッカー|ハック|攻撃|詐欺|紛失|盗|改ざん|暗号化|身代金|脅迫|被害|誤送信|なりすまし|フィッシング|踏み台|"
        r"ddos|侵入|\b(intrusion|intruder|ransom\w*|malware|virus|trojan|hack\w*|breach\w*|leak\w*|attack\w*|phish\w*|stole|stolen|"
        r"lost|fraud\w*|scam\w*|infect\w*|compromis\w*|defac\w*|encrypt\w*|extort\w*|ddos|botnet|spoof\w*)\b"),
    # what an attack looks like from the inside, without naming it
    "symptom": _re(
        r"ビットコイン|仮想通貨|暗号資産|払え|勝手に|身に覚え|覚えのない|知らない(端末|ソフト|プログラム|ログイン|アドレス)|不審な|"
        r"怪しい|形跡|痕跡|不正利用|開けな|開かな|開けません|開きません|開けず|起動しな|起動できな|ロックされ|ログインできな|拡張子|脅迫|readme|\.locked|"
        r"\b(bitcoin|crypto|unauthori[sz]ed|suspicious|strange|weird|unknown|locked out|by itself|on its own|"
        r"pay or|ransom note|red screen)\b"),
    # a mishap done at the writer's end: 振り込んでしまいました, うっかり, accidentally
    "mishap": _re(
        r"てしまい|でしまい|てしまっ|でしまっ|ちゃった|ちゃいました|じゃった|じゃいました|うっかり|誤って|間違えて|"
        r"\b(accidentally|by mistake|mistakenly|we just|i just)\b"),
    # asking for a fact (んですか, のでしょうか, って本当) rather than for an act
    "info_q": _re(
        r"(ん|の)(です|でしょう)(か|かね)|って本当|というのは|ものですか|んでしたっけ|のか[?。]?$|"
        r"^(do|does|did|are|is|will|was|were)\b(?! (there|anyone|anybody|someone|somebody)\b)"),
    # a professional the insurer may arrange, not a person to talk to about buying
    "provider": _re(
        r"弁護士|調査会社|専門業者|(?<![同事])業者|フォレンジック|セキュリティ会社|復旧業者|"
        r"\b(lawyer|lawyers|attorney|legal counsel|forensic|vendor|vendors|panel|pr firm)\b"),
    # someone else is the subject of the story (not the source of the news: 取引先から連絡)
    "third_subject": _re(
        r"(取引先|得意先|仕入先|仕入れ先|元請け?|下請け?|協力会社|関連会社|グループ会社|別会社|親会社|外注先|系列|地元|近く|"
        r"ある(会社|企業|店|病院)|他の(会社|店|企業)|同業|他社|よその|知り合い|知人|友人|友達|ともだち|親戚|家族|いとこ|兄|姉|弟|妹|"
        r"父|母|同期|先輩|後輩|近所|隣|となり|別の会社|競合|大手|どこか|前の会社|前職|前の職場|以前勤め|元同僚|病院|学校|"
        r"商店街|工務店|歯医者|美容院|飲食店|同じビル|子供の|国の機関|出版社|企業|業界)"
        r"(?:(?!から)[^。、,.!?がはもで]){0,10}(が|は|も|で)(?!.{0,3}(連絡|言われ|指摘|通知))|"
        r"(?<!our )(?<!my )\b[a-z-]+'s (company|firm|shop|business|office|store|clinic|restaurant|practice|school|site|"
        r"website|systems?)\b|"
        r"\b(a friend|friends?'s?|my (cousin|brother|sister|uncle|aunt|father|dad|mother|mum|mom|neighbou?r)|"
        r"\w+-in-law|neighbou?r'?s?|landlord|another (company|business|firm|shop|tenant|office|clinic|store)|"
        r"other (companies|businesses|firms|shops)|competitors?|the company next door|a company|a hospital|a big|"
        r"my previous employer|my old company|a former colleague|former employer|our (supplier|partner|vendor)|"
        r"a (supplier|partner company)|a local|a nearby|one of our (clients|suppliers|partners|distributors)|"
        r"a client of ours|distributors?|dealers|someone i know|smes|small (firms|businesses|companies))\b"),
    # the news came from someone: 取引先から連絡, カード会社から指摘, the bank called
    "told_by": _re(
        r"から(の)?(連絡|指摘|通知|報告|警告|問い合わせ|苦情|電話|言われ|「|『)|と(連絡|指摘|言われ|通知|報告)|"
        r"\b(says|said|told us|told me|called|contacted us|notified|warned|confirmed|reported|flagged|alerted)\b"),
    # hearsay and media
    "hearsay": _re(
        r"らしい|らしく|そうです|そうで|(と|って|とか)聞|話を聞|聞きました|聞いた|ニュース|報道|記事|テレビ|新聞|業界紙|"
        r"ネットで|見ました|見て|読みました|読んだ|セミナー|事例|組合で|"
        r"\b(i heard|we heard|heard|hearing|read about|read in|read that|i read|saw on|in the news|news|the paper|papers|""on tv|article|rumou?r|word is|apparently|reportedly|"
        r"keep hearing|seminar|case study)\b"),
    # worry, preparing, considering buying
    "worry": _re(
        r"心配|不安|怖|こわ|他人事|備え|検討|入るべき|迷って|入っておい|狙われ|おかしくない|気をつけ|"
        r"\b(worried|worry|nervous|scared|afraid|concerned|considering|thinking (about|of)|should we get|"
        r"want to avoid|to be safe|just in case|prepare)\b"),
    # hypotheticals and conditions
    "hypothetical": _re(
        r"もし|仮に|万一|万が一|例えば|たとえば|仮定|(た|だ)ら(?!しい)|場合|(た|る)とき(は|に|の)|際(は|に|の)|ケース|"
        r"\b(if|what if|suppose|say|hypothetically|in case|would|whether|ever)\b"),
    # long ago, at the writer's company or anywhere
    "past": _re(
        r"去年|昨年|一昨年|以前|前に|過去|年前|昔|前回|当時|その時|そのとき|当初|数年|\d+年(前|に)|"
        r"\b(last year|years ago|year ago|previously|in the past|back in|once had|formerly|before we|in 20\d\d)\b"),
    # now or just now
    "recent": _re(
        r"今朝|昨日|昨夜|昨晩|一昨日|先ほど|さっき|(?<![てでっにがはもいし])いま(?![すせしで])|今(?!後|回|年|月|まで|から|の|は|も|後|度|期|でも)|現在|ただいま|"
        r"本日|今日|今まさに|朝から|昨日から|週末|先週|さきほど|"
        r"\b(just|now|right now|this morning|this afternoon|yesterday|last night|today|tonight|earlier today|overnight|"r"(an|one|two|a few|\d+) (hour|hours|minute|minutes) ago|"
        r"over the weekend|at the moment|currently|since)\b"),
    # the writer needs help now
    "help": _re(
        r"どうすれば|どうしたら|どうしよう|どうしますか|どう(動|対応)|助けて|たすけて|至急|急ぎ|困って|やばい|"
        r"次は何|まず何|どうしたらいい|指示|ご支援|対応(を)?お願い|"
        r"\b(help|urgent|asap|please advise|next steps?|what (do|should|must|can) (we|i)|what (we|i) (must|should|can|do)|what now|what to do)\b"),
    # the writer's own company is the subject, or what happened is in the writer's hands
    "own_subject": _re(
        r"(うち|ウチ|弊社|当社|自社|わが社|我が社|社内|当店|弊店|当院|うちの会社|(?<![のる他別])会社|社員|従業員|経理|総務|営業(の|が)|部下|"
        r"社長|店舗|店の|私|わたし|僕|ぼく|俺)(の|が|で|から|は|に|も)|"
        r"\b(we|we've|we're|our|my|i|i've|i'm)\b"),
    # what happened did not happen: nobody opened it, we are not infected
    "negated": _re(
        r"(て|で)(い)?ません|てない|ていない|開いてない|何もしてない|実害がない|起きていない|まだ何も|"
        r"\b(nobody|no one|not yet|nothing has|didn't|haven't|hasn't|caught it|almost|never)\b"),
    # what the insurance would do: cover, claim, apply, disclose
    "cover": _re(
        r"補償|保険|対象|カバー|出ますか|出る\?|出るの|出ます\?|支払|請求|加入|申込|申し込|告知|入っても|入れ|審査|保険料|"
        r"\b(cover|covered|coverage|policy|insurance|claim|claims|premium|apply|application|disclose|eligible|"
        r"reimburse\w*|pay for|insured)\b"),
    # a general, knowledge question: how common, how to tell, average
    "general": _re(
        r"どうやって|どのくらい|どれくらい|平均|確率|多い|よくある|違い|って何|とは|本当|ほんと|実際|"
        r"\b(how common|how likely|typical|average|most common|how would we|how do (we|you) know|is that true|"
        r"really)\b"),
    # -- chatter ------------------------------------------------------------------------------
    # notices and announcements to everyone in a channel
    "notice": _re(
        r"お知らせ|休業|お休み|定休|在宅勤務|変更(に)?なり|変更します|遅れます|遅れ|中止|延期|メンテナンス|共有します|"
        r"送りました|送付しました|アップしました|添付|議事録|\b(fyi|heads-up|heads up|reminder|office is closed|"
        r"maintenance|attached|uploaded|agenda|ooo)\b"),
    # a salutation opening a longer message
    "salutation": _re(
        r"^(いつも|大変)?(お世話になって|お世話になり|お疲れ様|お疲れさま|おつかれさま|こんにちは|おはよう|はじめまして|初めまして|"
        r"失礼いたします|失礼します)|^(hi|hello|dear|good morning)\b"),
}
"""Each cue's word class over the prepared text."""


STORY = frozenset({"third_subject", "hearsay", "worry", "hypothetical", "past", "general"})
"""Cues that make an incident word part of a story, a question or a worry rather than a report."""


def cues(prepared: str) -> frozenset[str]:
    """The names of the cues found in a `prepare`d text, and `story` when one of STORY is among
    them, else `plain` (an incident word told plainly is a report; a linear model cannot read
    the absence of every story cue by itself)."""
    found = {name for name, pattern in CUES.items() if pattern.search(prepared)}
    found.add("story" if found & STORY else "plain")
    return frozenset(found)
