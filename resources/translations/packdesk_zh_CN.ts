<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Packdesk</source>
        <translation>关于 Packdesk</translation>
    </message>
    <message>
        <source>{server} (the shop's database server)</source>
        <translation>{server}（店铺的数据库服务器）</translation>
    </message>
    <message>
        <source>{size:.1f} MB</source>
        <translation>{size:.1f} MB</translation>
    </message>
    <message>
        <source>not created yet</source>
        <translation>尚未创建</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>查看日志</translation>
    </message>
    <message>
        <source>Copy diagnostics</source>
        <translation>复制诊断信息</translation>
    </message>
    <message>
        <source>Versions, folders, settings and the end of the log for support: no Api-Key, no buyers' data</source>
        <translation>供技术支持使用的版本、文件夹、设置和日志末尾：不含 Api-Key，不含买家信息</translation>
    </message>
    <message>
        <source>Packdesk: back-office for Ozon sellers</source>
        <translation>Packdesk：Ozon 卖家后台</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>AnalyticsPage</name>
    <message>
        <source>Last 12 months</source>
        <translation>最近 12 个月</translation>
    </message>
    <message numerus="yes">
        <source>Last %n day(s)</source>
        <translation>
            <numerusform>最近 %n 天</numerusform>
        </translation>
    </message>
    <message>
        <source>Dates…</source>
        <translation>自选日期…</translation>
    </message>
    <message>
        <source>All warehouses</source>
        <translation>全部仓库</translation>
    </message>
    <message>
        <source>Export all to Excel…</source>
        <translation>全部导出为 Excel…</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>时间段：</translation>
    </message>
    <message>
        <source>Warehouse:</source>
        <translation>仓库：</translation>
    </message>
    <message>
        <source>Orders and revenue by day</source>
        <translation>每日订单与销售额</translation>
    </message>
    <message>
        <source>Shipped on time</source>
        <translation>按时发货</translation>
    </message>
    <message>
        <source>Chat: first reply to buyers</source>
        <translation>聊天：首次回复买家</translation>
    </message>
    <message>
        <source>Review rating by week</source>
        <translation>每周评价评分</translation>
    </message>
    <message>
        <source>Returns by product</source>
        <translation>按商品统计退货</translation>
    </message>
    <message>
        <source>Return reasons</source>
        <translation>退货原因</translation>
    </message>
    <message>
        <source>Packing errors per packer</source>
        <translation>各打包员的打包错误</translation>
    </message>
    <message>
        <source>No postings in this period</source>
        <translation>此时间段内没有货件</translation>
    </message>
    <message>
        <source>Calculating…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>{start} – {end}, from the local cache</source>
        <translation>{start} – {end}，来自本地缓存</translation>
    </message>
    <message>
        <source>Orders: {orders} · cancelled: {cancelled} · revenue: {revenue}</source>
        <translation>订单：{orders} · 已取消：{cancelled} · 营业额：{revenue}</translation>
    </message>
    <message>
        <source>Revenue, {currency} (right)</source>
        <translation>营业额，{currency}（右轴）</translation>
    </message>
    <message>
        <source>On time: {share} ({on_time} of {all}) · late: {late} · not shipped yet: {pending} · order to ship: median {median}, 90% within {p90}</source>
        <translation>按时：{share}（{all} 个中 {on_time} 个）· 迟发：{late} · 尚未发货：{pending} · 下单到发货：中位数 {median}，90% 在 {p90} 内</translation>
    </message>
    <message>
        <source>No ship-by dates in this period</source>
        <translation>此时间段内没有发货截止时间</translation>
    </message>
    <message>
        <source>Buyer messages waiting for a reply: {waits} · answered within 24 h: {share} · median reply: {median}, 90% within {p90} · still within 24 h: {open}</source>
        <translation>等待回复的买家消息：{waits} · 24 小时内回复：{share} · 回复中位数：{median}，90% 在 {p90} 内 · 仍在 24 小时内：{open}</translation>
    </message>
    <message>
        <source>No buyer messages in this period</source>
        <translation>此时间段内没有买家消息</translation>
    </message>
    <message>
        <source>Returned: {returned} of {sold} units sold ({rate})</source>
        <translation>已退货：售出 {sold} 件中的 {returned} 件（{rate}）</translation>
    </message>
    <message>
        <source>No returns in this period</source>
        <translation>此时间段内没有退货</translation>
    </message>
    <message>
        <source>Reviews: {count} · average rating: {average} (reviews are not tied to a warehouse)</source>
        <translation>评价：{count} · 平均评分：{average}（评价不区分仓库）</translation>
    </message>
    <message>
        <source>No reviews in this period</source>
        <translation>此时间段内没有评价</translation>
    </message>
    <message>
        <source>Refused scans and overrides for every 100 postings packed at this desk</source>
        <translation>本工作台每打包 100 个货件的被拒扫描与强制完成次数</translation>
    </message>
    <message>
        <source>Nothing was packed at this desk in this period</source>
        <translation>此时间段内本工作台没有打包</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>On time, %</source>
        <translation>按时，%</translation>
    </message>
    <message>
        <source>Median first reply, h</source>
        <translation>首次回复中位数，小时</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 小时</translation>
    </message>
    <message>
        <source>Average rating</source>
        <translation>平均评分</translation>
    </message>
    <message>
        <source>{value}%</source>
        <translation>{value}%</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation>{hours} 小时</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>数据分析</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Could not save: {error}</source>
        <translation>无法保存：{error}</translation>
    </message>
</context>
<context>
    <name>AnalyticsTables</name>
    <message>
        <source>Orders and revenue</source>
        <translation>订单与销售额</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Revenue, {currency}</source>
        <translation>营业额，{currency}</translation>
    </message>
    <message>
        <source>Ship-by day</source>
        <translation>发货截止日</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按时</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>迟发</translation>
    </message>
    <message>
        <source>On time, %</source>
        <translation>按时，%</translation>
    </message>
    <message>
        <source>Shipped on time</source>
        <translation>按时发货</translation>
    </message>
    <message>
        <source>(nobody signed in)</source>
        <translation>（未登录）</translation>
    </message>
    <message>
        <source>Packer</source>
        <translation>打包员</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>已打包</translation>
    </message>
    <message>
        <source>Refused scans</source>
        <translation>被拒扫描</translation>
    </message>
    <message>
        <source>Overrides</source>
        <translation>强制完成</translation>
    </message>
    <message>
        <source>Errors per 100 packed</source>
        <translation>每 100 件错误数</translation>
    </message>
    <message>
        <source>Packing errors</source>
        <translation>打包错误</translation>
    </message>
    <message>
        <source>Buyer messages</source>
        <translation>买家消息</translation>
    </message>
    <message>
        <source>Answered within 24 h</source>
        <translation>24 小时内回复</translation>
    </message>
    <message>
        <source>Within 24 h, %</source>
        <translation>24 小时内，%</translation>
    </message>
    <message>
        <source>Median, h</source>
        <translation>中位数，小时</translation>
    </message>
    <message>
        <source>Chat first reply</source>
        <translation>聊天首次回复</translation>
    </message>
    <message>
        <source>(no reason)</source>
        <translation>（无原因）</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Article</source>
        <translation>货号</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>售出</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Return rate, %</source>
        <translation>退货率，%</translation>
    </message>
    <message>
        <source>Top reason</source>
        <translation>主要原因</translation>
    </message>
    <message>
        <source>Returns by product</source>
        <translation>按商品统计退货</translation>
    </message>
    <message>
        <source>Return reasons</source>
        <translation>退货原因</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>退货数</translation>
    </message>
    <message>
        <source>Rating by week</source>
        <translation>每周评分</translation>
    </message>
    <message>
        <source>Week of</source>
        <translation>周（起始日）</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>评价数</translation>
    </message>
    <message>
        <source>Average rating</source>
        <translation>平均评分</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Packdesk cannot start</source>
        <translation>Packdesk 无法启动</translation>
    </message>
    <message>
        <source>Packdesk is already open on this computer ({folder}).</source>
        <translation>Packdesk 已在本机打开（{folder}）。</translation>
    </message>
</context>
<context>
    <name>AutoRepliesDialog</name>
    <message>
        <source>Auto-replies</source>
        <translation>自动回复</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>模板</translation>
    </message>
    <message>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Dry run (suggest only)</source>
        <translation>试运行（仅建议）</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Rules (the first that matches a new message answers it):</source>
        <translation>规则（新消息由第一条匹配的规则回复）：</translation>
    </message>
    <message>
        <source>Latest replies (last {count}):</source>
        <translation>最近的回复（最后 {count} 条）：</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>suggested</source>
        <translation>已建议</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>No rules yet: import a JSON file of rules (packdesk autoreply export shows the format).</source>
        <translation>还没有规则：请导入规则的 JSON 文件（packdesk autoreply export 可查看格式）。</translation>
    </message>
    <message>
        <source>Saved: {rule}</source>
        <translation>已保存：{rule}</translation>
    </message>
    <message>
        <source>Import auto-reply rules</source>
        <translation>导入自动回复规则</translation>
    </message>
    <message>
        <source>Imported {count} rules.</source>
        <translation>已导入 {count} 条规则。</translation>
    </message>
    <message>
        <source>Export auto-reply rules</source>
        <translation>导出自动回复规则</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>已保存：{path}</translation>
    </message>
</context>
<context>
    <name>BackupBox</name>
    <message>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>Empty: no automatic backups</source>
        <translation>留空：不自动备份</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <source>Cancel the restore</source>
        <translation>取消恢复</translation>
    </message>
    <message>
        <source>A backup is a checked copy of the database, made in the background while you work. Only this shop's own oldest backups in the folder are deleted.</source>
        <translation>备份是经过检查的数据库副本，在您工作时于后台生成。只会删除文件夹中本店铺最旧的备份。</translation>
    </message>
    <message>
        <source>Backup folder</source>
        <translation>备份文件夹</translation>
    </message>
    <message>
        <source>Back up every</source>
        <translation>备份间隔</translation>
    </message>
    <message>
        <source>Keep the last</source>
        <translation>保留最近</translation>
    </message>
    <message>
        <source>Backups are for the SQLite database in the data folder.</source>
        <translation>备份仅适用于数据文件夹中的 SQLite 数据库。</translation>
    </message>
    <message>
        <source>Choose a backup folder first.</source>
        <translation>请先选择备份文件夹。</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>Written: {file} ({size})</source>
        <translation>已写入：{file}（{size}）</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <source>Packdesk backups (*.sqlite3);;All files (*)</source>
        <translation>Packdesk 备份 (*.sqlite3);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Checking the backup…</source>
        <translation>正在检查备份…</translation>
    </message>
    <message>
        <source>Restore the backup of {date} ({size})?

Packdesk cannot replace the database it has open, so it restores the backup the next time it starts: close Packdesk and start it again. The current database is not deleted: it is kept in the data folder as {name}.before-restore-…. What you do until the restart is only in that kept copy.</source>
        <translation>要恢复 {date} 的备份（{size}）吗？

Packdesk 无法替换正在使用的数据库，因此会在下次启动时恢复此备份：请关闭 Packdesk 并重新启动。当前数据库不会被删除，而是以 {name}.before-restore-… 的名称保留在数据文件夹中。重启之前您所做的操作只保存在这份保留的副本中。</translation>
    </message>
    <message>
        <source>Restore of {file} scheduled: close Packdesk and start it again to finish.</source>
        <translation>已安排恢复 {file}：请关闭 Packdesk 并重新启动以完成恢复。</translation>
    </message>
    <message>
        <source>The restore is cancelled: the database stays as it is.</source>
        <translation>已取消恢复：数据库保持不变。</translation>
    </message>
</context>
<context>
    <name>BackupSchedule</name>
    <message>
        <source>Backup written: {file}</source>
        <translation>备份已写入：{file}</translation>
    </message>
    <message>
        <source>Backup failed: {reason}</source>
        <translation>备份失败：{reason}</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <source>Cancel postings</source>
        <translation>取消货件</translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n posting(s)? The buyer is told, and it counts against your rating.</source>
        <translation>
            <numerusform>取消 %n 个货件？买家会收到通知，并且会影响您的评分。</numerusform>
        </translation>
    </message>
    <message>
        <source>A few words for Ozon (required for “other”)</source>
        <translation>给 Ozon 的说明（选择“其他”时必填）</translation>
    </message>
    <message>
        <source>Keep them</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>ChatListModel</name>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Reply within</source>
        <translation>回复期限</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>未读</translation>
    </message>
    <message>
        <source>[photo]</source>
        <translation>[图片]</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>已回复</translation>
    </message>
</context>
<context>
    <name>Chats</name>
    <message>
        <source>{d} d</source>
        <translation>{d} 天</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <source>{h} h</source>
        <translation>{h} 小时</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation>已超时 {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
    <message>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <source>You</source>
        <translation>我</translation>
    </message>
    <message>
        <source>Ozon support</source>
        <translation>Ozon 客服</translation>
    </message>
    <message>
        <source>Ozon</source>
        <translation>Ozon</translation>
    </message>
    <message>
        <source>Ozon seller support</source>
        <translation>Ozon 卖家客服</translation>
    </message>
    <message>
        <source>Ozon notices</source>
        <translation>Ozon 通知</translation>
    </message>
    <message>
        <source>Buyer · {number}</source>
        <translation>买家 · {number}</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>等待发送</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <source>read</source>
        <translation>已读</translation>
    </message>
    <message>
        <source>unread</source>
        <translation>未读</translation>
    </message>
    <message>
        <source>Buyer asks: where is my order?</source>
        <translation>买家问：我的订单在哪里？</translation>
    </message>
    <message>
        <source>Buyer asks: when will you ship?</source>
        <translation>买家问：订单什么时候发货？</translation>
    </message>
    <message>
        <source>Buyer asks for the tracking number.</source>
        <translation>买家要物流单号。</translation>
    </message>
    <message>
        <source>Buyer asks: when will it arrive?</source>
        <translation>买家问：什么时候能到？</translation>
    </message>
    <message>
        <source>Buyer wants to cancel the order.</source>
        <translation>买家想取消订单。</translation>
    </message>
    <message>
        <source>Buyer wants to return the item.</source>
        <translation>买家想退货。</translation>
    </message>
    <message>
        <source>Buyer wants to exchange the item.</source>
        <translation>买家想换货。</translation>
    </message>
    <message>
        <source>Buyer says the item arrived damaged.</source>
        <translation>买家说商品到货时已损坏。</translation>
    </message>
    <message>
        <source>Buyer says they got the wrong item.</source>
        <translation>买家说收到的商品不对。</translation>
    </message>
    <message>
        <source>Buyer says something is missing from the parcel.</source>
        <translation>买家说包裹里少了东西。</translation>
    </message>
    <message>
        <source>Buyer asks about size or colour.</source>
        <translation>买家询问尺码或颜色。</translation>
    </message>
    <message>
        <source>Buyer has a question about the product.</source>
        <translation>买家对商品有疑问。</translation>
    </message>
    <message>
        <source>Buyer says thank you.</source>
        <translation>买家表示感谢。</translation>
    </message>
    <message>
        <source>Buyer is unhappy and complains.</source>
        <translation>买家不满意，在投诉。</translation>
    </message>
</context>
<context>
    <name>ChatsPage</name>
    <message>
        <source>Search messages, order or posting number…</source>
        <translation>搜索消息、订单号或货件号…</translation>
    </message>
    <message>
        <source>Needs reply</source>
        <translation>待回复</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>未读</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>客服</translation>
    </message>
    <message>
        <source>Any order status</source>
        <translation>任意订单状态</translation>
    </message>
    <message>
        <source>Start a chat</source>
        <translation>发起聊天</translation>
    </message>
    <message>
        <source>Edit templates…</source>
        <translation>编辑模板…</translation>
    </message>
    <message>
        <source>Edit, import and export the answer templates</source>
        <translation>编辑、导入和导出回复模板</translation>
    </message>
    <message>
        <source>Auto-replies…</source>
        <translation>自动回复…</translation>
    </message>
    <message>
        <source>Switch auto-reply rules on, off or to dry run; see what they sent</source>
        <translation>启用、停用自动回复规则或设为试运行；查看已发送的内容</translation>
    </message>
    <message>
        <source>The {shown} most urgent of {total} chats: search or filter to find the others.</source>
        <translation>显示最紧急的 {shown} 个聊天（共 {total} 个）：其余的请用搜索或筛选查找。</translation>
    </message>
    <message>
        <source>No chat matches the filters.</source>
        <translation>没有符合筛选条件的聊天。</translation>
    </message>
    <message>
        <source>No chats yet. Buyers' messages appear here after a sync.</source>
        <translation>还没有聊天。同步后买家的消息会显示在这里。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>This chat is no longer in the local copy.</source>
        <translation>本地副本中已没有这个聊天。</translation>
    </message>
    <message>
        <source>Reply: {clock}</source>
        <translation>回复：{clock}</translation>
    </message>
    <message>
        <source>Choose a chat on the left.</source>
        <translation>请在左侧选择一个聊天。</translation>
    </message>
    <message>
        <source>Your Ozon plan does not include the chat API.</source>
        <translation>您的 Ozon 套餐不包含聊天 API。</translation>
    </message>
    <message>
        <source>This chat is closed: Ozon takes no new messages in it.</source>
        <translation>此聊天已关闭：Ozon 不再接受新消息。</translation>
    </message>
    <message>
        <source>Ozon's notices take no answers.</source>
        <translation>Ozon 通知无法回复。</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Message queued: it is sent with the next sync.</source>
        <translation>消息已排队：将在下次同步时发送。</translation>
    </message>
    <message>
        <source>Send a photo</source>
        <translation>发送图片</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp)</translation>
    </message>
    <message>
        <source>The photo is larger than 10 MB: Ozon does not take it.</source>
        <translation>图片超过 10 MB：Ozon 不接受。</translation>
    </message>
    <message>
        <source>The photo is too large in pixels (at most 40 megapixels).</source>
        <translation>图片像素太大（最多 4000 万像素）。</translation>
    </message>
    <message>
        <source>Only PNG, JPEG and WEBP photos can be sent.</source>
        <translation>只能发送 PNG、JPEG 和 WEBP 图片。</translation>
    </message>
    <message>
        <source>The file is not a photo (PNG, JPEG or WEBP).</source>
        <translation>该文件不是图片（PNG、JPEG 或 WEBP）。</translation>
    </message>
    <message>
        <source>The photo is damaged or incomplete.</source>
        <translation>图片已损坏或不完整。</translation>
    </message>
    <message>
        <source>The file cannot be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <source>No answer templates yet.</source>
        <translation>还没有回复模板。</translation>
    </message>
    <message>
        <source>Template: {name}</source>
        <translation>模板：{name}</translation>
    </message>
    <message>
        <source>There is no chat with the buyer of {posting} yet.</source>
        <translation>还没有与 {posting} 买家的聊天。</translation>
    </message>
    <message>
        <source>Ozon was asked to open a chat about {posting}: it appears here after the next sync.</source>
        <translation>已请求 Ozon 为 {posting} 开启聊天：下次同步后会显示在这里。</translation>
    </message>
    <message>
        <source>Your Ozon plan does not include the chat API: chats are read-only here and cannot be sent or refreshed. Everything else in Packdesk works.</source>
        <translation>您的 Ozon 套餐不包含聊天 API：这里的聊天只能查看，无法发送或刷新。Packdesk 的其他功能一切正常。</translation>
    </message>
    <message>
        <source>The photo is not available.</source>
        <translation>无法获取该图片。</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>图片</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Write to the buyer in Russian… (Ctrl+Enter sends)</source>
        <translation>用俄语给买家写消息…（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send to the buyer (Ctrl+Enter)</source>
        <translation>发送给买家（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Photo…</source>
        <translation>图片…</translation>
    </message>
    <message>
        <source>Send a photo (PNG, JPEG or WEBP, up to 10 MB)</source>
        <translation>发送图片（PNG、JPEG 或 WEBP，最大 10 MB）</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>模板…</translation>
    </message>
    <message>
        <source>Insert a ready answer (Ctrl+T)</source>
        <translation>插入现成的回复（Ctrl+T）</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <source>Actions waiting for Ozon</source>
        <translation>等待 Ozon 处理的操作</translation>
    </message>
    <message>
        <source>Everything you do is saved here first and sent to Ozon by the background sync. Actions that Ozon refused need your decision.</source>
        <translation>您的每个操作都会先保存在本机，再由后台同步发送给 Ozon。被 Ozon 拒绝的操作需要您来决定如何处理。</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Drop</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Drop and redo…</source>
        <translation>放弃并重做…</translation>
    </message>
    <message>
        <source>Drop the refused action and open the posting to do it differently</source>
        <translation>放弃被拒绝的操作，并打开货件以另行处理</translation>
    </message>
    <message>
        <source>Show posting</source>
        <translation>查看货件</translation>
    </message>
    <message>
        <source>Ozon said: {error}</source>
        <translation>Ozon 回复：{error}</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Choose a chat on the left.</source>
        <translation>请在左侧选择一个聊天。</translation>
    </message>
    <message>
        <source>No messages yet.</source>
        <translation>还没有消息。</translation>
    </message>
</context>
<context>
    <name>CustomsDialog</name>
    <message>
        <source>Customs declaration number (ГТД)</source>
        <translation>报关单号（ГТД）</translation>
    </message>
    <message>
        <source>Ozon needs the customs declaration number of {name}. It is asked once for this posting.</source>
        <translation>Ozon 需要「{name}」的报关单号（ГТД）。本订单只需填写一次。</translation>
    </message>
    <message>
        <source>Last time these goods had no customs declaration number.</source>
        <translation>上次此商品没有报关单号（ГТД）。</translation>
    </message>
    <message>
        <source>Save number</source>
        <translation>保存单号</translation>
    </message>
    <message>
        <source>No customs number</source>
        <translation>无报关单号</translation>
    </message>
    <message>
        <source>This looks like a scanned code. Type the customs number, then scan again.</source>
        <translation>这像是扫描的条码。请输入报关单号，然后再扫描。</translation>
    </message>
</context>
<context>
    <name>DatabaseBox</name>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Empty: this computer's own database file (one desk)</source>
        <translation>留空：使用本机自己的数据库文件（单个工位）</translation>
    </message>
    <message>
        <source>The shop's shared PostgreSQL server, e.g. postgresql+psycopg://packdesk:PASSWORD@192.168.1.10/shop</source>
        <translation>店铺共用的 PostgreSQL 服务器，例如 postgresql+psycopg://packdesk:密码@192.168.1.10/shop</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>This desk was started with an address of its own (--db or PACKDESK_DB_URL): {database}. The address here is used when none is given.</source>
        <translation>本工位启动时指定了自己的地址（--db 或 PACKDESK_DB_URL）：{database}。未指定地址时才使用这里的地址。</translation>
    </message>
    <message>
        <source>In use now: {database}</source>
        <translation>当前使用：{database}</translation>
    </message>
    <message>
        <source>Several desks of one shop share one PostgreSQL server. A password in the address is kept in the system keyring, never in the settings file. A new address takes effect when Packdesk starts again.</source>
        <translation>同一店铺的多个工位共用一台 PostgreSQL 服务器。地址中的密码保存在系统密钥环中，不会写入设置文件。新地址在 Packdesk 重新启动后生效。</translation>
    </message>
    <message>
        <source>Database address</source>
        <translation>数据库地址</translation>
    </message>
    <message>
        <source>This desk's name</source>
        <translation>本工位名称</translation>
    </message>
    <message>
        <source>Its password is kept in the system keyring.</source>
        <translation>其密码保存在系统密钥环中。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>No database file here yet: Packdesk creates it when it starts on this computer.</source>
        <translation>这里还没有数据库文件：Packdesk 在本机启动时会创建它。</translation>
    </message>
    <message>
        <source>Connected: PostgreSQL {version}.</source>
        <translation>已连接：PostgreSQL {version}。</translation>
    </message>
    <message>
        <source>This computer's database file (SQLite {version}).</source>
        <translation>本机的数据库文件（SQLite {version}）。</translation>
    </message>
    <message>
        <source>Schema: empty; Packdesk creates its tables when it starts on this database.</source>
        <translation>结构：空；Packdesk 使用此数据库启动时会创建所需的表。</translation>
    </message>
    <message>
        <source>Schema: revision {revision}, the same as this Packdesk.</source>
        <translation>结构：版本 {revision}，与本 Packdesk 相同。</translation>
    </message>
    <message>
        <source>Schema: revision {revision}; this Packdesk has {head} and upgrades it when it starts on this database.</source>
        <translation>结构：版本 {revision}；本 Packdesk 为 {head}，使用此数据库启动时会将其升级。</translation>
    </message>
    <message>
        <source>Schema: revision {revision}, written by a newer Packdesk (this one has {head}): update Packdesk here.</source>
        <translation>结构：版本 {revision}，由更新版本的 Packdesk 写入（本版本为 {head}）：请在本机更新 Packdesk。</translation>
    </message>
    <message>
        <source>Sync: no desk leads — is another desk open?</source>
        <translation>同步：没有主工位——其他工位是否已打开？</translation>
    </message>
    <message>
        <source>Sync: this desk leads.</source>
        <translation>同步：由本工位主导。</translation>
    </message>
    <message>
        <source>Sync: led by {desk}.</source>
        <translation>同步：由 {desk} 主导。</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Select a posting to see its items and history.</source>
        <translation>选择一个货件以查看商品和记录。</translation>
    </message>
    <message>
        <source>Buyer chat</source>
        <translation>买家聊天</translation>
    </message>
    <message>
        <source>Open the chat with the buyer of this order</source>
        <translation>打开与该订单买家的聊天</translation>
    </message>
    <message>
        <source>Ask Ozon support…</source>
        <translation>咨询 Ozon 客服…</translation>
    </message>
    <message>
        <source>A message to Ozon support with this posting's facts, or a PDF</source>
        <translation>向 Ozon 客服发送包含此货件信息的消息，或导出 PDF</translation>
    </message>
    <message>
        <source>Dispute pack (PDF)…</source>
        <translation>争议材料（PDF）…</translation>
    </message>
    <message>
        <source>One PDF: timeline, marking codes, prints, labels, act, chat and returns</source>
        <translation>一个 PDF：时间线、标识码、打印记录、面单、交接单、聊天和退货</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>发货截止</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>配送</translation>
    </message>
    <message>
        <source>Warehouse</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>运单号</translation>
    </message>
    <message>
        <source>Delivery date</source>
        <translation>送达日期</translation>
    </message>
    <message>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>面单</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Ozon needs</source>
        <translation>Ozon 要求</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>History</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>No scans, prints or actions yet.</source>
        <translation>暂无扫描、打印或操作记录。</translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s) selected.</source>
        <translation>
            <numerusform>已选择 %n 个货件。</numerusform>
        </translation>
    </message>
    <message>
        <source>This posting is no longer in the local copy.</source>
        <translation>本地数据中已没有该货件。</translation>
    </message>
    <message>
        <source>Честный ЗНАК codes</source>
        <translation>「Честный ЗНАК」标识码</translation>
    </message>
    <message>
        <source>customs number (ГТД)</source>
        <translation>报关单号（ГТД）</translation>
    </message>
    <message>
        <source>country of origin</source>
        <translation>原产国</translation>
    </message>
    <message>
        <source>batch number (РНПТ)</source>
        <translation>批次号（РНПТ）</translation>
    </message>
    <message>
        <source>jewellery UIN</source>
        <translation>珠宝 UIN</translation>
    </message>
    <message>
        <source>IMEI</source>
        <translation>IMEI</translation>
    </message>
    <message>
        <source>actual weight</source>
        <translation>实际重量</translation>
    </message>
    <message>
        <source>box count (one item in several boxes)</source>
        <translation>箱数（一件商品分多箱）</translation>
    </message>
    <message>
        <source>rFBS (you deliver)</source>
        <translation>rFBS（由您配送）</translation>
    </message>
    <message>
        <source>FBS (Ozon delivers)</source>
        <translation>FBS（由 Ozon 配送）</translation>
    </message>
    <message>
        <source>No chat with this buyer yet: the Chats page can start one</source>
        <translation>与该买家还没有聊天：可在“聊天”页面发起</translation>
    </message>
    <message>
        <source>Save the dispute pack</source>
        <translation>保存争议材料</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Dispute pack saved: {path}</source>
        <translation>争议材料已保存：{path}</translation>
    </message>
    <message>
        <source>The dispute pack could not be written</source>
        <translation>无法写入争议材料</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>日志文件：{path}</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>显示详情</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详情</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>查看日志</translation>
    </message>
    <message>
        <source>If it happens again, send the details and the log to support.</source>
        <translation>如果再次发生，请将详情和日志发送给技术支持。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>{what} is not set. Enter your Ozon Client-Id and Api-Key in Settings.</source>
        <translation>{what} 未设置。请在“设置”中填写 Ozon 的 Client-Id 和 Api-Key。</translation>
    </message>
    <message>
        <source>The database was written by a newer Packdesk (schema {revision}). Update Packdesk to open it.</source>
        <translation>数据库由更新版本的 Packdesk 写入（结构 {revision}）。请升级 Packdesk 后再打开。</translation>
    </message>
    <message>
        <source>The Api-Key could not be saved: this computer has no working keyring (password store). Set OZON_API_KEY in the environment instead, or install and unlock a keyring.</source>
        <translation>无法保存 Api-Key：这台电脑没有可用的系统密钥环（密码存储）。请改为设置环境变量 OZON_API_KEY，或安装并解锁密钥环。</translation>
    </message>
    <message>
        <source>This posting is not in the local copy yet. Sync, then try again.</source>
        <translation>本地数据中还没有该货件。请先同步，然后重试。</translation>
    </message>
    <message>
        <source>This posting already has an action waiting to be sent to Ozon.</source>
        <translation>该货件已有一个等待发送给 Ozon 的操作。</translation>
    </message>
    <message>
        <source>This posting cannot be shipped now (status: {status}).</source>
        <translation>该货件现在无法发货（状态：{status}）。</translation>
    </message>
    <message>
        <source>This posting is cancelled.</source>
        <translation>该货件已取消。</translation>
    </message>
    <message>
        <source>This posting can no longer be cancelled (status: {status}).</source>
        <translation>该货件已无法取消（状态：{status}）。</translation>
    </message>
    <message>
        <source>Only new postings can be confirmed (status: {status}).</source>
        <translation>只能确认新的货件（状态：{status}）。</translation>
    </message>
    <message>
        <source>Ozon approves this rFBS order itself; it moves to “To pack” when Ozon has done so.</source>
        <translation>此 rFBS 订单由 Ozon 自行确认；确认后会进入「待打包」。</translation>
    </message>
    <message>
        <source>Ozon needs data for this posting that Packdesk cannot send yet: complete it in Ozon's seller cabinet.</source>
        <translation>该订单需要 Packdesk 目前还无法提交的数据：请在 Ozon 卖家后台完成。</translation>
    </message>
    <message>
        <source>Ozon needs a Честный ЗНАК code for every unit of SKU {sku}: pack it at the pack station.</source>
        <translation>Ozon 要求 SKU {sku} 的每件商品都有「Честный ЗНАК」标识码：请在打包台打包。</translation>
    </message>
    <message>
        <source>Ozon needs the customs declaration number of SKU {sku}: pack it at the pack station.</source>
        <translation>Ozon 需要 SKU {sku} 的报关单号：请在打包台打包。</translation>
    </message>
    <message>
        <source>Ozon needs no customs declaration number for SKU {sku}.</source>
        <translation>SKU {sku} 不需要报关单号。</translation>
    </message>
    <message>
        <source>A customs declaration number looks like 10702070/110326/3041525 (office/date/number).</source>
        <translation>报关单号格式如 10702070/110326/3041525（海关代码/日期/编号）。</translation>
    </message>
    <message>
        <source>The date in the customs declaration number is not a real date.</source>
        <translation>报关单号中的日期无效。</translation>
    </message>
    <message>
        <source>Ozon's label file cannot be read: {detail}</source>
        <translation>无法读取 Ozon 的面单文件：{detail}</translation>
    </message>
    <message>
        <source>This reason needs a message for Ozon.</source>
        <translation>此原因需要填写给 Ozon 的说明。</translation>
    </message>
    <message>
        <source>The message for Ozon may have at most 500 characters.</source>
        <translation>给 Ozon 的说明最多 500 个字符。</translation>
    </message>
    <message>
        <source>This label was printed before: give a reason to print it again.</source>
        <translation>该面单已打印过：请说明重新打印的原因。</translation>
    </message>
    <message>
        <source>Give a reason to complete without scanning every unit.</source>
        <translation>未扫描全部商品就完成，请说明原因。</translation>
    </message>
    <message>
        <source>A package has no items.</source>
        <translation>有一个包裹是空的。</translation>
    </message>
    <message>
        <source>SKU {sku} is not in this posting.</source>
        <translation>SKU {sku} 不在该货件中。</translation>
    </message>
    <message>
        <source>The quantity of SKU {sku} must be positive.</source>
        <translation>SKU {sku} 的数量必须大于零。</translation>
    </message>
    <message>
        <source>The packages do not match the posting ({detail}).</source>
        <translation>包裹与货件不符（{detail}）。</translation>
    </message>
    <message>
        <source>Nothing to hand over: choose packed postings.</source>
        <translation>没有可交接的货件：请选择已打包的货件。</translation>
    </message>
    <message>
        <source>Only packed postings can be handed over.</source>
        <translation>只有已打包的货件才能交接。</translation>
    </message>
    <message>
        <source>Only rFBS postings (you deliver them) take this step.</source>
        <translation>只有 rFBS 货件（由您配送）才有此步骤。</translation>
    </message>
    <message>
        <source>Enter or scan the tracking number.</source>
        <translation>请输入或扫描运单号。</translation>
    </message>
    <message>
        <source>This does not look like a tracking number.</source>
        <translation>这看起来不像运单号。</translation>
    </message>
    <message>
        <source>This is a product or label barcode, not a tracking number: scan the carrier's number.</source>
        <translation>这是商品或面单的条码，不是运单号：请扫描承运商的运单号。</translation>
    </message>
    <message>
        <source>The tracking number can no longer be changed for this posting.</source>
        <translation>该货件的运单号已无法修改。</translation>
    </message>
    <message>
        <source>This is not available in this version of Packdesk.</source>
        <translation>此版本的 Packdesk 暂不支持此功能。</translation>
    </message>
    <message>
        <source>A package is written wrong: use SKU:QTY[,SKU:QTY…].</source>
        <translation>包裹格式有误：请使用 SKU:数量[,SKU:数量…]。</translation>
    </message>
    <message>
        <source>The settings file could not be written: {reason}</source>
        <translation>无法写入设置文件：{reason}</translation>
    </message>
    <message>
        <source>No printer is set up: choose one in Settings → Printing.</source>
        <translation>尚未设置打印机：请在“设置 → 打印”中选择。</translation>
    </message>
    <message>
        <source>This printer address is not valid: use tcp://HOST:PORT, a printer name or a file path.</source>
        <translation>打印机地址无效：请使用 tcp://主机:端口、打印机名称或文件路径。</translation>
    </message>
    <message>
        <source>The printer at {printer} takes printer commands, not a PDF: set the label language to ZPL or TSPL.</source>
        <translation>{printer} 处的打印机只接受打印机指令，不接受 PDF：请将面单语言设为 ZPL 或 TSPL。</translation>
    </message>
    <message>
        <source>The printer at {printer} refused the connection: check that it is on and that the port is its raw printing port (usually 9100).</source>
        <translation>{printer} 处的打印机拒绝连接：请检查打印机是否开机，端口是否为其原始打印端口（通常为 9100）。</translation>
    </message>
    <message>
        <source>The printer at {printer} does not answer: check that it is on and connected, and the address.</source>
        <translation>{printer} 处的打印机没有响应：请检查是否开机、是否联网，以及地址是否正确。</translation>
    </message>
    <message>
        <source>The printer address {printer} cannot be found: check it.</source>
        <translation>找不到打印机地址 {printer}：请检查。</translation>
    </message>
    <message>
        <source>Cannot reach the printer at {printer}.</source>
        <translation>无法连接 {printer} 处的打印机。</translation>
    </message>
    <message>
        <source>The printer at {printer} stopped taking data: it may be paused, out of labels, or its lid may be open.</source>
        <translation>{printer} 处的打印机停止接收数据：可能已暂停、缺纸或上盖未关。</translation>
    </message>
    <message>
        <source>The printer at {printer} dropped the connection during the job.</source>
        <translation>{printer} 处的打印机在打印过程中断开了连接。</translation>
    </message>
    <message>
        <source>The printer at {printer} did not finish receiving the job: check it, and whether a label came out, before printing again.</source>
        <translation>{printer} 处的打印机没有接收完整个任务：再次打印前请检查打印机以及是否已出面单。</translation>
    </message>
    <message>
        <source>The print command 'lp' is not installed (apt-get install cups-client).</source>
        <translation>未安装打印命令 'lp'（apt-get install cups-client）。</translation>
    </message>
    <message>
        <source>The print system did not take the job for {printer} in time.</source>
        <translation>打印系统未能及时接收发往 {printer} 的任务。</translation>
    </message>
    <message>
        <source>The print system refused the job for {printer}.</source>
        <translation>打印系统拒绝了发往 {printer} 的任务。</translation>
    </message>
    <message>
        <source>On Windows labels print directly only as ZPL or TSPL: choose one of them.</source>
        <translation>在 Windows 上只能以 ZPL 或 TSPL 直接打印面单：请选择其中之一。</translation>
    </message>
    <message>
        <source>Printing to a Windows printer needs the pywin32 package.</source>
        <translation>打印到 Windows 打印机需要 pywin32 软件包。</translation>
    </message>
    <message>
        <source>Unknown label language: use PDF, ZPL or TSPL.</source>
        <translation>未知的面单语言：请使用 PDF、ZPL 或 TSPL。</translation>
    </message>
    <message>
        <source>Unknown label size.</source>
        <translation>未知的面单尺寸。</translation>
    </message>
    <message>
        <source>Unsupported printer resolution: use 203 or 300 dpi.</source>
        <translation>不支持的打印分辨率：请使用 203 或 300 dpi。</translation>
    </message>
    <message>
        <source>The settings file was damaged and has been reset. The old file was kept as {file}.</source>
        <translation>设置文件已损坏并已重置。旧文件保存为 {file}。</translation>
    </message>
    <message>
        <source>These settings cannot take the values entered: {names}.</source>
        <translation>这些设置不接受所输入的值：{names}。</translation>
    </message>
    <message>
        <source>Some settings were invalid and were reset to defaults: {names}.</source>
        <translation>部分设置无效，已恢复为默认值：{names}。</translation>
    </message>
    <message>
        <source>Ozon's label for this posting has not been downloaded yet; it prints when it arrives.</source>
        <translation>该货件的 Ozon 面单尚未下载；下载后会自动打印。</translation>
    </message>
    <message>
        <source>The database is damaged: {path}. Packdesk left the file untouched and stopped syncing. Restore a backup copy of the file, or move it away to start with an empty database (the sqlite3 tool's .recover command exports what is still readable).</source>
        <translation>数据库已损坏：{path}。Packdesk 未改动该文件，并已停止同步。请用备份恢复该文件，或将其移走以使用空数据库重新开始（sqlite3 工具的 .recover 命令可导出仍可读取的数据）。</translation>
    </message>
    <message>
        <source>The database {path} is missing or empty, but Packdesk kept its data there. Restore the file from a backup; to start afresh with an empty database, delete {marker}.</source>
        <translation>数据库 {path} 不存在或为空，但 Packdesk 曾在其中保存数据。请用备份恢复该文件；如要使用空数据库重新开始，请删除 {marker}。</translation>
    </message>
    <message>
        <source>Another Packdesk ({owner}) is using the database {path}. Close it first: two programs on one database would send the same actions to Ozon twice.</source>
        <translation>另一个 Packdesk（{owner}）正在使用数据库 {path}。请先关闭它：两个程序使用同一数据库会向 Ozon 重复发送相同的操作。</translation>
    </message>
    <message>
        <source>The disk holding {folder} is full: free space and try again.</source>
        <translation>{folder} 所在的磁盘已满：请释放空间后重试。</translation>
    </message>
    <message>
        <source>Packdesk cannot write to {folder}: make the folder writable, or choose another data folder.</source>
        <translation>Packdesk 无法写入 {folder}：请使该文件夹可写，或选择其他数据文件夹。</translation>
    </message>
    <message>
        <source>The database address needs the {driver} driver, which is not installed: install it with pip install {package}.</source>
        <translation>该数据库地址需要 {driver} 驱动，但尚未安装：请用 pip install {package} 安装。</translation>
    </message>
    <message>
        <source>{url} is not a database address (e.g. postgresql+psycopg://packdesk@192.168.1.10/shop).</source>
        <translation>{url} 不是数据库地址（例如 postgresql+psycopg://packdesk@192.168.1.10/shop）。</translation>
    </message>
    <message>
        <source>The shop's database server {server} cannot be reached ({detail}). Check the network and that the server is running; this desk takes no new work until it is back.</source>
        <translation>无法连接店铺的数据库服务器 {server}（{detail}）。请检查网络以及服务器是否在运行；在服务器恢复之前，本工作台不接受新的工作。</translation>
    </message>
    <message>
        <source>The shop's database server {server} refused the login of {user}: check the user name and password in Settings → Database.</source>
        <translation>店铺的数据库服务器 {server} 拒绝了 {user} 的登录：请在“设置 → 数据库”中检查用户名和密码。</translation>
    </message>
    <message>
        <source>The database server {server} has no database named {database}: check the name at the end of the address in Settings → Database.</source>
        <translation>数据库服务器 {server} 上没有名为 {database} 的数据库：请在“设置 → 数据库”中检查地址末尾的数据库名称。</translation>
    </message>
    <message>
        <source>The database password could not be saved: this computer has no working keyring (password store). Start Packdesk with the full address in PACKDESK_DB_URL (or --db) instead, or install and unlock a keyring.</source>
        <translation>无法保存数据库密码：本机没有可用的密钥环（密码存储）。请改为在 PACKDESK_DB_URL（或 --db）中提供完整地址来启动 Packdesk，或安装并解锁密钥环。</translation>
    </message>
    <message>
        <source>{server} already holds tables ({tables}); Packdesk copies only into an empty database.</source>
        <translation>{server} 中已有数据表（{tables}）；Packdesk 只会复制到空数据库中。</translation>
    </message>
    <message>
        <source>The copy is incomplete ({tables}).</source>
        <translation>复制不完整（{tables}）。</translation>
    </message>
    <message>
        <source>The window cannot start: the system library {library} is missing. On Debian or Ubuntu install the display libraries with: sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3</source>
        <translation>窗口无法启动：缺少系统库 {library}。在 Debian 或 Ubuntu 上请用以下命令安装显示库：sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3</translation>
    </message>
    <message>
        <source>The backup could not be written to {folder}: {reason}</source>
        <translation>无法将备份写入 {folder}：{reason}</translation>
    </message>
    <message>
        <source>The backup folder {folder} does not exist (is its drive connected?).</source>
        <translation>备份文件夹 {folder} 不存在（磁盘是否已连接？）。</translation>
    </message>
    <message>
        <source>{path} already exists: choose another name.</source>
        <translation>{path} 已存在：请换一个名称。</translation>
    </message>
    <message>
        <source>{path} is the database itself: choose another file.</source>
        <translation>{path} 就是数据库本身：请选择其他文件。</translation>
    </message>
    <message>
        <source>There is no database at {path} to back up.</source>
        <translation>{path} 处没有可备份的数据库。</translation>
    </message>
    <message>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <source>{path} is not a Packdesk backup (not a SQLite database).</source>
        <translation>{path} 不是 Packdesk 备份（不是 SQLite 数据库）。</translation>
    </message>
    <message>
        <source>{path} is damaged: it cannot be restored.</source>
        <translation>{path} 已损坏，无法恢复。</translation>
    </message>
    <message>
        <source>{path} is a SQLite database, but not Packdesk's.</source>
        <translation>{path} 是 SQLite 数据库，但不是 Packdesk 的。</translation>
    </message>
    <message>
        <source>{path} was made by a newer Packdesk (schema {revision}): update Packdesk to restore it.</source>
        <translation>{path} 由更新版本的 Packdesk 创建（结构 {revision}）：请先升级 Packdesk 再恢复。</translation>
    </message>
    <message>
        <source>The backup of {taken_at} was restored. The database as it was is kept as {aside}.</source>
        <translation>已恢复 {taken_at} 的备份。原数据库已保留为 {aside}。</translation>
    </message>
    <message>
        <source>The scheduled restore was not done; the database is as it was. {reason}</source>
        <translation>计划的恢复未执行，数据库保持原样。{reason}</translation>
    </message>
    <message>
        <source>The message is empty: write something first.</source>
        <translation>消息为空：请先输入内容。</translation>
    </message>
    <message>
        <source>The message has {found} characters; Ozon takes at most 1000. Shorten it or split it in two.</source>
        <translation>消息有 {found} 个字符；Ozon 最多接受 1000 个。请缩短或分成两条。</translation>
    </message>
    <message>
        <source>Not sent: a template field is still empty ({found}). Replace it with the real value.</source>
        <translation>未发送：模板字段仍未填写（{found}）。请替换为实际内容。</translation>
    </message>
    <message>
        <source>Not sent: the ship-by date ({found}) has passed, so this template would promise a date gone by. Write to the buyer yourself.</source>
        <translation>未发送：最晚发货日期（{found}）已过，此模板会向买家承诺一个已经过去的日期。请亲自给买家写消息。</translation>
    </message>
    <message>
        <source>Not sent: an e-mail address ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>未发送：包含电子邮箱（{found}）。Ozon 禁止把买家引导到平台之外。</translation>
    </message>
    <message>
        <source>Not sent: a link ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>未发送：包含链接（{found}）。Ozon 禁止把买家引导到平台之外。</translation>
    </message>
    <message>
        <source>Not sent: a phone number ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>未发送：包含电话号码（{found}）。Ozon 禁止把买家引导到平台之外。</translation>
    </message>
    <message>
        <source>Not sent: another messenger ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>未发送：提到了其他聊天软件（{found}）。Ozon 禁止把买家引导到平台之外。</translation>
    </message>
    <message>
        <source>Not sent: it asks the buyer to cancel ({found}), which Ozon forbids. Offer another way.</source>
        <translation>未发送：消息要求买家取消订单（{found}），Ozon 禁止这样做。请提供其他解决办法。</translation>
    </message>
    <message>
        <source>This chat is not in the local copy yet. Sync, then try again.</source>
        <translation>本地副本中还没有这个聊天。请同步后重试。</translation>
    </message>
    <message>
        <source>The template was not saved, nothing changed: {reason}</source>
        <translation>模板未保存，内容未作任何更改：{reason}</translation>
    </message>
    <message>
        <source>The auto-reply rules were not saved, nothing changed: {reason}</source>
        <translation>自动回复规则未保存，内容未作任何更改：{reason}</translation>
    </message>
    <message>
        <source>This chat is closed: Ozon takes no new messages in it.</source>
        <translation>此聊天已关闭：Ozon 不再接受新消息。</translation>
    </message>
    <message>
        <source>This return is not in the local copy yet. Sync, then try again.</source>
        <translation>本地还没有这条退货。请先同步，然后重试。</translation>
    </message>
    <message>
        <source>A decision on this return is already waiting to be sent.</source>
        <translation>这条退货已有一个待发送的决定。</translation>
    </message>
    <message>
        <source>The decision deadline passed on {deadline}: Ozon decides this return itself now, so Packdesk sends no decision.</source>
        <translation>决定期限已于 {deadline} 截止：此退货现由 Ozon 自行决定，Packdesk 不再发送决定。</translation>
    </message>
    <message>
        <source>Ozon does not offer this action for this return now. Sync to see what it offers.</source>
        <translation>Ozon 目前不提供此操作。请同步查看当前可用的操作。</translation>
    </message>
    <message>
        <source>Choose one of Ozon's reasons to reject the return.</source>
        <translation>请选择 Ozon 提供的拒绝原因之一。</translation>
    </message>
    <message>
        <source>Say why the return is rejected: the buyer reads this comment.</source>
        <translation>请说明拒绝退货的原因：买家会看到这条说明。</translation>
    </message>
    <message>
        <source>The comment may have at most 1000 characters.</source>
        <translation>说明最多 1000 个字符。</translation>
    </message>
    <message>
        <source>The compensation must be more than 0 and at most the item's price, in roubles and kopecks.</source>
        <translation>补偿金额必须大于 0，且不超过商品价格（精确到戈比）。</translation>
    </message>
    <message>
        <source>The photo file {path} is gone: add it again.</source>
        <translation>照片文件 {path} 已不存在：请重新添加。</translation>
    </message>
    <message>
        <source>{path} is not a photo Packdesk keeps (PNG, JPEG or WEBP, at most 10 MB).</source>
        <translation>{path} 不是 Packdesk 可保存的照片（PNG、JPEG 或 WEBP，最大 10 MB）。</translation>
    </message>
    <message>
        <source>Return {number} was already received on {date}.</source>
        <translation>退货 {number} 已于 {date} 收货。</translation>
    </message>
    <message>
        <source>Return {number} is not sent back yet ({state}): the request still awaits a decision. Keep the parcel aside and ask the seller.</source>
        <translation>退货 {number} 尚未寄回（{state}）：申请仍在等待决定。请把包裹放在一边并询问卖家。</translation>
    </message>
    <message>
        <source>Return {number} is {state}: Ozon sends no item back under it. Keep the parcel aside and ask the seller.</source>
        <translation>退货 {number} 的状态为{state}：Ozon 不会据此寄回商品。请把包裹放在一边并询问卖家。</translation>
    </message>
    <message>
        <source>Enter the replacement posting number.</source>
        <translation>请输入换货货件号。</translation>
    </message>
    <message>
        <source>The replacement must be another posting than the returned one.</source>
        <translation>换货货件不能与退货的货件相同。</translation>
    </message>
    <message>
        <source>Posting {posting} is cancelled: it cannot be the replacement. Enter the new posting.</source>
        <translation>货件 {posting} 已取消，不能作为换货货件。请输入新的货件号。</translation>
    </message>
    <message>
        <source>This reply is already saved for this review: it is sent once, with the next sync.</source>
        <translation>这条回复已为该评价保存，将在下次同步时只发送一次。</translation>
    </message>
    <message>
        <source>This answer is already saved for this question: it is sent once, with the next sync.</source>
        <translation>这条回答已为该问题保存，将在下次同步时只发送一次。</translation>
    </message>
    <message>
        <source>Say what was resent: a tracking number or a date.</source>
        <translation>请说明重新发送了什么：运单号或日期。</translation>
    </message>
    <message>
        <source>This review is not in the local copy yet. Sync, then try again.</source>
        <translation>本地还没有这条评价。请先同步，然后重试。</translation>
    </message>
    <message>
        <source>This question is not in the local copy yet. Sync, then try again.</source>
        <translation>本地还没有这个问题。请先同步，然后重试。</translation>
    </message>
    <message>
        <source>This template no longer exists.</source>
        <translation>此模板已不存在。</translation>
    </message>
    <message>
        <source>This template uses {found}, which a review cannot fill: choose another or write the reply.</source>
        <translation>此模板使用了 {found}，评价无法填写：请选择其他模板或自己写回复。</translation>
    </message>
    <message>
        <source>An answer needs at least 2 characters.</source>
        <translation>回答至少需要 2 个字符。</translation>
    </message>
    <message>
        <source>Enter the packer's name.</source>
        <translation>请输入打包员的姓名。</translation>
    </message>
    <message>
        <source>A packer's name may have at most {limit} characters.</source>
        <translation>打包员姓名最多 {limit} 个字符。</translation>
    </message>
    <message>
        <source>There is a packer named {name} already.</source>
        <translation>已有名为 {name} 的打包员。</translation>
    </message>
    <message>
        <source>A PIN is {min} to {max} digits.</source>
        <translation>PIN 码为 {min} 到 {max} 位数字。</translation>
    </message>
    <message>
        <source>Wrong PIN for {name}. Nothing was changed.</source>
        <translation>{name} 的 PIN 码不正确。未做任何更改。</translation>
    </message>
    <message>
        <source>There is no packer named {name}. Someone may have removed them.</source>
        <translation>没有名为 {name} 的打包员，可能已被删除。</translation>
    </message>
    <message>
        <source>Posting {posting} is on the desk: finish it or put it aside (Esc), then change the packer.</source>
        <translation>工作台上有货件 {posting}：请先完成或搁置（Esc），再更换打包员。</translation>
    </message>
    <message>
        <source>Ozon rejected the Client-Id or Api-Key. Check them in Settings.</source>
        <translation>Ozon 拒绝了 Client-Id 或 Api-Key。请在“设置”中检查。</translation>
    </message>
    <message>
        <source>The Api-Key lacks a permission Packdesk needs: {detail}</source>
        <translation>该 Api-Key 缺少 Packdesk 需要的权限：{detail}</translation>
    </message>
    <message>
        <source>This is not included in your Ozon subscription: {detail}</source>
        <translation>您的 Ozon 订阅不包含此功能：{detail}</translation>
    </message>
    <message>
        <source>Cannot reach Ozon. Check the internet connection; your actions are kept and sent later.</source>
        <translation>无法连接 Ozon。请检查网络；您的操作已保存，稍后会发送。</translation>
    </message>
    <message>
        <source>Ozon asks Packdesk to slow down (too many requests). Try again in a minute.</source>
        <translation>Ozon 要求 Packdesk 降低请求频率（请求过多）。请一分钟后重试。</translation>
    </message>
    <message>
        <source>Ozon's servers are having trouble right now. Try again in a few minutes.</source>
        <translation>Ozon 服务器暂时出现问题。请几分钟后重试。</translation>
    </message>
    <message>
        <source>Ozon answered something Packdesk cannot read. Try again later.</source>
        <translation>Ozon 返回了 Packdesk 无法识别的内容。请稍后重试。</translation>
    </message>
    <message>
        <source>Ozon refused: {detail}</source>
        <translation>Ozon 拒绝：{detail}</translation>
    </message>
    <message>
        <source>delivering</source>
        <translation>配送中</translation>
    </message>
    <message>
        <source>last mile</source>
        <translation>最后一公里</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>pack and ship it first</source>
        <translation>请先打包并发货</translation>
    </message>
    <message>
        <source>mark it delivering first</source>
        <translation>请先标记为配送中</translation>
    </message>
    <message>
        <source>it is already delivering</source>
        <translation>它已在配送中</translation>
    </message>
    <message>
        <source>it is already in the last mile</source>
        <translation>它已在最后一公里</translation>
    </message>
    <message>
        <source>it is already delivered</source>
        <translation>它已送达</translation>
    </message>
    <message>
        <source>it is cancelled or closed</source>
        <translation>它已取消或关闭</translation>
    </message>
    <message>
        <source>Posting {number} cannot be marked {step}: {reason}</source>
        <translation>货件 {number} 无法标记为{step}：{reason}</translation>
    </message>
    <message>
        <source>Sorry, something went wrong in Packdesk. Your data is safe; please try again.</source>
        <translation>抱歉，Packdesk 出现了问题。您的数据是安全的，请重试。</translation>
    </message>
</context>
<context>
    <name>EscalationDialog</name>
    <message>
        <source>Ask Ozon support about {posting}</source>
        <translation>就 {posting} 咨询 Ozon 客服</translation>
    </message>
    <message>
        <source>Anything support should know, in Russian if you can</source>
        <translation>需要告诉客服的情况，尽量用俄语</translation>
    </message>
    <message>
        <source>Reading the posting…</source>
        <translation>正在读取货件…</translation>
    </message>
    <message>
        <source>Send to support chat</source>
        <translation>发送到客服聊天</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>另存为 PDF…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Your note</source>
        <translation>您的备注</translation>
    </message>
    <message>
        <source>Message to Ozon support (Russian, you may edit it):</source>
        <translation>发给 Ozon 客服的消息（俄语，可编辑）：</translation>
    </message>
    <message>
        <source>Not accepted at the warehouse</source>
        <translation>仓库未接收</translation>
    </message>
    <message>
        <source>Lost in transit</source>
        <translation>运输途中丢失</translation>
    </message>
    <message>
        <source>Wrong status</source>
        <translation>状态错误</translation>
    </message>
    <message>
        <source>Problem with the label</source>
        <translation>标签有问题</translation>
    </message>
    <message>
        <source>Dispute with the buyer</source>
        <translation>与买家的纠纷</translation>
    </message>
    <message>
        <source>Other question</source>
        <translation>其他问题</translation>
    </message>
    <message>
        <source>This posting is not in the local copy yet. Sync, then try again.</source>
        <translation>本地副本中还没有这个货件。请同步后重试。</translation>
    </message>
    <message>
        <source>Queued for the support chat: it is sent with the next sync.</source>
        <translation>已加入客服聊天队列：将在下次同步时发送。</translation>
    </message>
    <message>
        <source>There is no chat with Ozon support in the local copy yet. Open one in the Ozon seller cabinet, or save the PDF and attach it there.</source>
        <translation>本地副本中还没有与 Ozon 客服的聊天。请在 Ozon 卖家后台开启一个，或保存 PDF 后在那里附上。</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>另存为 PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>已保存：{path}</translation>
    </message>
</context>
<context>
    <name>FeedbackTab</name>
    <message>
        <source>SKU or article</source>
        <translation>SKU 或货号</translation>
    </message>
    <message>
        <source>No answer templates yet.</source>
        <translation>还没有回复模板。</translation>
    </message>
    <message>
        <source>Template: {name}</source>
        <translation>模板：{name}</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Search: posting, order, SKU, offer ID, product name</source>
        <translation>搜索：货件、订单、SKU、货号、商品名称</translation>
    </message>
    <message>
        <source>All warehouses</source>
        <translation>全部仓库</translation>
    </message>
    <message>
        <source>All delivery methods</source>
        <translation>全部配送方式</translation>
    </message>
    <message>
        <source>FBS and rFBS</source>
        <translation>FBS 和 rFBS</translation>
    </message>
    <message>
        <source>FBS only</source>
        <translation>仅 FBS</translation>
    </message>
    <message>
        <source>rFBS only</source>
        <translation>仅 rFBS</translation>
    </message>
    <message>
        <source>Any ship-by date</source>
        <translation>任意发货截止日期</translation>
    </message>
    <message>
        <source>Ship by today</source>
        <translation>今天截止发货</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
</context>
<context>
    <name>HandoverModel</name>
    <message>
        <source>Posting</source>
        <translation>货件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>发货截止</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Tracking number</source>
        <translation>运单号</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>交接</translation>
    </message>
    <message>
        <source>{status} (pending sync)</source>
        <translation>{status}（待同步）</translation>
    </message>
    <message>
        <source>{tracking} (pending sync)</source>
        <translation>{tracking}（待同步）</translation>
    </message>
    <message>
        <source>In a carriage</source>
        <translation>已在运输批次中</translation>
    </message>
    <message>
        <source>Ready for a carriage</source>
        <translation>可加入运输批次</translation>
    </message>
    <message>
        <source>Not packed</source>
        <translation>未打包</translation>
    </message>
    <message>
        <source>Packed: hand to the courier</source>
        <translation>已打包：交给快递员</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>配送中</translation>
    </message>
    <message>
        <source>Last mile</source>
        <translation>最后一公里</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已完成</translation>
    </message>
</context>
<context>
    <name>HandoverPage</name>
    <message>
        <source>Scan a parcel's label to find its posting</source>
        <translation>扫描包裹面单以查找订单</translation>
    </message>
    <message>
        <source>Create carriage and act (Ozon)</source>
        <translation>创建运输批次和交接单（Ozon）</translation>
    </message>
    <message>
        <source>Print our own act</source>
        <translation>打印自制交接单</translation>
    </message>
    <message>
        <source>Scan or type the tracking number of the selected posting</source>
        <translation>扫描或输入所选货件的运单号</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>配送中</translation>
    </message>
    <message>
        <source>Last mile</source>
        <translation>最后一公里</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>rFBS</source>
        <translation>rFBS</translation>
    </message>
    <message>
        <source>FBS</source>
        <translation>FBS</translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s)</source>
        <translation>
            <numerusform>%n 个货件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n 个就绪</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing is waiting for handover</source>
        <translation>没有等待交接的货件</translation>
    </message>
    <message numerus="yes">
        <source>Carriage for %n posting(s) queued; its act prints when Ozon has made it</source>
        <translation>
            <numerusform>已为 %n 个货件创建运输批次；Ozon 生成交接单后将自动打印</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Our own act for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>%n 个货件的自制交接单已发送到打印机</numerusform>
        </translation>
    </message>
    <message>
        <source>No posting has the code {code}</source>
        <translation>没有订单的编码是 {code}</translation>
    </message>
    <message>
        <source>Posting {number} is not waiting for handover</source>
        <translation>订单 {number} 不在待交接列表中</translation>
    </message>
    <message>
        <source>Posting {number} found</source>
        <translation>已找到订单 {number}</translation>
    </message>
    <message>
        <source>That was the label of posting {number}: now scan its tracking number</source>
        <translation>这是订单 {number} 的面单：请扫描它的运单号</translation>
    </message>
    <message>
        <source>Select exactly one posting, then scan its tracking number</source>
        <translation>请只选择一个货件，然后扫描其运单号</translation>
    </message>
    <message>
        <source>Posting {number} already has the tracking number {current}. Scan {tracking} again to replace it, or select another posting.</source>
        <translation>货件 {number} 已有追踪号 {current}。再次扫描 {tracking} 以替换，或选择其他货件。</translation>
    </message>
    <message>
        <source>Tracking number {tracking} saved for {number}</source>
        <translation>已为 {number} 保存运单号 {tracking}</translation>
    </message>
    <message>
        <source>Select the postings first</source>
        <translation>请先选择货件</translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s) updated</source>
        <translation>
            <numerusform>已更新 %n 个货件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>History</name>
    <message>
        <source>Posting scanned</source>
        <translation>已扫描货件</translation>
    </message>
    <message>
        <source>Item scanned</source>
        <translation>已扫描商品</translation>
    </message>
    <message>
        <source>Scan refused</source>
        <translation>扫描被拒绝</translation>
    </message>
    <message>
        <source>New package</source>
        <translation>新包裹</translation>
    </message>
    <message>
        <source>Completed without every scan</source>
        <translation>未全部扫描即完成</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>已打包</translation>
    </message>
    <message>
        <source>Packing aborted</source>
        <translation>已中止打包</translation>
    </message>
    <message>
        <source>STOP: cancelled while packing</source>
        <translation>停止：打包时订单被取消</translation>
    </message>
    <message>
        <source>STOP acknowledged</source>
        <translation>已确认停止</translation>
    </message>
    <message>
        <source>Action saved</source>
        <translation>操作已保存</translation>
    </message>
    <message>
        <source>Action applied by Ozon</source>
        <translation>Ozon 已执行操作</translation>
    </message>
    <message>
        <source>Refused by Ozon</source>
        <translation>被 Ozon 拒绝</translation>
    </message>
    <message>
        <source>Printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <source>Reprinted</source>
        <translation>已重新打印</translation>
    </message>
    <message>
        <source>Printing failed</source>
        <translation>打印失败</translation>
    </message>
    <message>
        <source>Return received</source>
        <translation>退货已收货</translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>换货</translation>
    </message>
    <message>
        <source>Taken over from another desk</source>
        <translation>从另一个工作台接手</translation>
    </message>
</context>
<context>
    <name>ItemsTable</name>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Ozon needs</source>
        <translation>Ozon 要求</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>已扫描</translation>
    </message>
    <message>
        <source>Offer ID / barcode</source>
        <translation>货号 / 条码</translation>
    </message>
    <message>
        <source>Codes {marked}/{needed}</source>
        <translation>标识码 {marked}/{needed}</translation>
    </message>
    <message>
        <source>ГТД ✓</source>
        <translation>报关单 ✓</translation>
    </message>
    <message>
        <source>No ГТД</source>
        <translation>无报关单号</translation>
    </message>
    <message>
        <source>ГТД missing</source>
        <translation>缺报关单号</translation>
    </message>
</context>
<context>
    <name>LogDialog</name>
    <message>
        <source>Packdesk log</source>
        <translation>Packdesk 日志</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>日志文件：{path}</translation>
    </message>
    <message>
        <source>Show only lines with…</source>
        <translation>只显示包含…的行</translation>
    </message>
    <message>
        <source>Last lines:</source>
        <translation>最后行数：</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>The log is empty.</source>
        <translation>日志为空。</translation>
    </message>
    <message>
        <source>No line matches the filter.</source>
        <translation>没有符合筛选条件的行。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message>
        <source>DEMO</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Fetch new orders and send pending actions now (F5)</source>
        <translation>立即获取新订单并发送待处理操作（F5）</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Waiting and refused actions…</source>
        <translation>等待中和被拒绝的操作…</translation>
    </message>
    <message>
        <source>&amp;Packdesk</source>
        <translation>&amp;Packdesk</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>查看日志</translation>
    </message>
    <message>
        <source>About Packdesk…</source>
        <translation>关于 Packdesk…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>打包</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>交接</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>{page} ({count})</source>
        <translation>{page}（{count}）</translation>
    </message>
    <message>
        <source>A buyer wrote about {posting}</source>
        <translation>买家就 {posting} 发来消息</translation>
    </message>
    <message>
        <source>A buyer wrote</source>
        <translation>买家发来消息</translation>
    </message>
    <message numerus="yes">
        <source>Your Ozon Api-Key expires on {date} (%n day(s) left). Create a new key in the Ozon seller cabinet and enter it in Settings.</source>
        <translation>
            <numerusform>您的 Ozon Api-Key 将于 {date} 过期（剩余 %n 天）。请在 Ozon 卖家后台创建新密钥，并在“设置”中填写。</numerusform>
        </translation>
    </message>
    <message>
        <source>Syncing with Ozon…</source>
        <translation>正在与 Ozon 同步…</translation>
    </message>
    <message>
        <source>Ozon rejected the Client-Id or API key ({reason}). Check them in Settings.</source>
        <translation>Ozon 拒绝了 Client-Id 或 API 密钥（{reason}）。请在“设置”中检查。</translation>
    </message>
    <message>
        <source>{area} is not available on your Ozon plan, so it is not synced: {reason}</source>
        <translation>您的 Ozon 套餐不包含{area}，因此不会同步：{reason}</translation>
    </message>
</context>
<context>
    <name>MessageBanner</name>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>photo</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Click to open the photo</source>
        <translation>点击查看大图</translation>
    </message>
    <message>
        <source>Ozon did not take it: {reason}</source>
        <translation>Ozon 未接受：{reason}</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>未说明原因</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <source>photo (not available)</source>
        <translation>图片（无法获取）</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>the code is cut short (no crypto tail): scan the whole DataMatrix</source>
        <translation>码被截断（缺少加密尾部）：请完整扫描 DataMatrix</translation>
    </message>
    <message>
        <source>the product number in the code is damaged: scan it again</source>
        <translation>码中的商品编号已损坏：请重新扫描</translation>
    </message>
    <message>
        <source>the scanner drops the code's separators: set its GS placeholder in Settings → Packing and handover</source>
        <translation>扫描枪丢失了码中的分隔符：请在「设置 → 打包与交接」中设置 GS 替代符</translation>
    </message>
    <message>
        <source>this is not a valid Честный ЗНАК code</source>
        <translation>这不是有效的「Честный ЗНАК」标识码</translation>
    </message>
    <message>
        <source>✓ {name} — now scan its Честный ЗНАК code</source>
        <translation>✓ {name} — 请扫描它的「Честный ЗНАК」标识码</translation>
    </message>
    <message>
        <source>✓ {name} — enter its customs declaration number (ГТД)</source>
        <translation>✓ {name} — 请输入报关单号（ГТД）</translation>
    </message>
    <message>
        <source>Scan a posting label to start</source>
        <translation>扫描货件面单开始</translation>
    </message>
    <message numerus="yes">
        <source>Posting {number}: scan the items and their Честный ЗНАК codes — %n to go</source>
        <translation>
            <numerusform>订单 {number}：请扫描商品及其「Честный ЗНАК」标识码 — 还剩 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Posting {number}: scan the items — %n to go</source>
        <translation>
            <numerusform>货件 {number}：请扫描商品 — 还剩 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Resumed posting {number}: %n to go</source>
        <translation>
            <numerusform>继续货件 {number}：还剩 %n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>✓ {name} — all scanned, completing…</source>
        <translation>✓ {name} — 已全部扫描，正在完成…</translation>
    </message>
    <message numerus="yes">
        <source>✓ {name} — scan the Честный ЗНАК codes: %n missing</source>
        <translation>
            <numerusform>✓ {name} — 请扫描「Честный ЗНАК」标识码：还缺 %n 个</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ {name} — %n to go</source>
        <translation>
            <numerusform>✓ {name} — 还剩 %n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>{name}: this unit was counted by its Честный ЗНАК code — scan the next one</source>
        <translation>{name}：此件已按「Честный ЗНАК」标识码计入——请扫描下一件</translation>
    </message>
    <message>
        <source>✗ CODE NOT ACCEPTED: {why}</source>
        <translation>✗ 标识码未通过：{why}</translation>
    </message>
    <message>
        <source>✗ WRONG ITEM: this code is of {name}, which is not in this posting</source>
        <translation>✗ 商品不对：此码属于「{name}」，不在本订单中</translation>
    </message>
    <message>
        <source>✗ This code is of a product the shop does not sell (GTIN {gtin})</source>
        <translation>✗ 此码属于本店未销售的商品（GTIN {gtin}）</translation>
    </message>
    <message>
        <source>✗ This code is already in posting {number}: every unit has its own code</source>
        <translation>✗ 此码已用于订单 {number}：每件商品都有自己的码</translation>
    </message>
    <message>
        <source>✗ This code is already scanned: scan the code of the next unit</source>
        <translation>✗ 此码已扫描：请扫描下一件的码</translation>
    </message>
    <message numerus="yes">
        <source>✗ %n unit(s) still need their Честный ЗНАК code — Ozon will not ship without</source>
        <translation>
            <numerusform>✗ 还有 %n 件商品缺「Честный ЗНАК」标识码 — 没有标识码 Ozon 不会发货</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ Enter the customs declaration number (ГТД) of {name} first</source>
        <translation>✗ 请先输入「{name}」的报关单号（ГТД）</translation>
    </message>
    <message>
        <source>✗ Ozon needs data for posting {number} that Packdesk cannot send yet ({what}): pack it in Ozon's seller cabinet</source>
        <translation>✗ 订单 {number} 需要 Packdesk 目前无法提交的数据（{what}）：请在 Ozon 卖家后台处理</translation>
    </message>
    <message>
        <source>✗ WRONG ITEM: {name} is not in this posting — put it back</source>
        <translation>✗ 商品错误：{name} 不在该货件中 — 请放回</translation>
    </message>
    <message>
        <source>✗ EXTRA UNIT: every {name} is already scanned — put it back</source>
        <translation>✗ 多余件：{name} 已全部扫描 — 请放回</translation>
    </message>
    <message>
        <source>✗ UNKNOWN CODE {code}</source>
        <translation>✗ 未知条码 {code}</translation>
    </message>
    <message>
        <source>✗ No posting with the code {code} — sync, or check the label</source>
        <translation>✗ 没有条码为 {code} 的货件 — 请同步或检查面单</translation>
    </message>
    <message>
        <source>✗ Posting {number} cannot be packed: {status}</source>
        <translation>✗ 货件 {number} 无法打包：{status}</translation>
    </message>
    <message>
        <source>✗ {number} is being packed at {desk} by {packer}</source>
        <translation>✗ {number} 正由 {packer} 在 {desk} 打包</translation>
    </message>
    <message>
        <source>✗ {number} was left at {desk} by {packer}: take it over?</source>
        <translation>✗ {number} 被 {packer} 留在 {desk}：要接手吗？</translation>
    </message>
    <message>
        <source>✗ {number} was taken over at {desk} by {packer}: put the goods aside</source>
        <translation>✗ {number} 已由 {packer} 在 {desk} 接手：请把货物放在一边</translation>
    </message>
    <message>
        <source>✗ Finish posting {current} first (Esc puts it aside)</source>
        <translation>✗ 请先完成货件 {current}（Esc 可暂放一边）</translation>
    </message>
    <message>
        <source>✗ Scan the posting label first</source>
        <translation>✗ 请先扫描货件面单</translation>
    </message>
    <message>
        <source>✗ STOP: put the goods back and acknowledge first</source>
        <translation>✗ 停止：请先把商品放回并确认</translation>
    </message>
    <message>
        <source>✗ This box is still empty: scan an item into it first</source>
        <translation>✗ 这个箱子还是空的：请先扫描一件商品放入</translation>
    </message>
    <message>
        <source>✗ Every unit is packed: no new box needed</source>
        <translation>✗ 所有商品都已装箱：不需要新箱子</translation>
    </message>
    <message numerus="yes">
        <source>✗ %n unit(s) still to scan (F8 completes anyway, with a reason)</source>
        <translation>
            <numerusform>✗ 还有 %n 件未扫描（按 F8 可填写原因后强制完成）</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ Nothing packed yet: no label to reprint</source>
        <translation>✗ 还没有打包任何货件：没有可重新打印的面单</translation>
    </message>
    <message>
        <source>label printing</source>
        <translation>面单正在打印</translation>
    </message>
    <message>
        <source>label waits for Ozon</source>
        <translation>面单等待 Ozon</translation>
    </message>
    <message numerus="yes">
        <source>✓ Packed {number} in %n box(es), {label}; {skipped}. Scan the next posting</source>
        <translation>
            <numerusform>✓ 已将 {number} 装入 %n 个箱子，{label}；{skipped}。请扫描下一个货件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) not scanned</source>
        <translation>
            <numerusform>%n 件未扫描</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ Packed {number} in %n box(es), {label}. Scan the next posting</source>
        <translation>
            <numerusform>✓ 已将 {number} 装入 %n 个箱子，{label}。请扫描下一个货件</numerusform>
        </translation>
    </message>
    <message>
        <source>Box {box}: scan the items for it</source>
        <translation>箱子 {box}：请扫描要放入的商品</translation>
    </message>
    <message>
        <source>Reprint of {number} queued</source>
        <translation>{number} 的重新打印已加入队列</translation>
    </message>
    <message>
        <source>The label of {number} still waits for Ozon; it prints when ready</source>
        <translation>{number} 的面单仍在等待 Ozon；准备好后会自动打印</translation>
    </message>
    <message numerus="yes">
        <source>Sending everything packed; printing the ready labels (%n still wait for Ozon)</source>
        <translation>
            <numerusform>正在发送所有已打包货件；正在打印已就绪的面单（还有 %n 个在等待 Ozon）</numerusform>
        </translation>
    </message>
    <message>
        <source>STOP acknowledged. Scan the next posting</source>
        <translation>已确认停止。请扫描下一个货件</translation>
    </message>
    <message>
        <source>Posting {number} put aside. Scan the next posting</source>
        <translation>货件 {number} 已暂放一边。请扫描下一个货件</translation>
    </message>
    <message>
        <source>STOP — posting {number} was cancelled</source>
        <translation>停止 — 货件 {number} 已被取消</translation>
    </message>
    <message>
        <source>Posting {number} is already packed — scan REPRINT to print its label again</source>
        <translation>货件 {number} 已打包 — 扫描 REPRINT 可重新打印面单</translation>
    </message>
    <message numerus="yes">
        <source>Posting {number} is already on the desk — %n to go</source>
        <translation>
            <numerusform>货件 {number} 已在工作台上 — 还剩 %n 件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message numerus="yes">
        <source>Cancelled by the buyer: %n posting(s)</source>
        <translation>
            <numerusform>买家已取消：%n 个货件</numerusform>
        </translation>
    </message>
    <message>
        <source>Do not ship them. Put the goods back on the shelf.</source>
        <translation>请勿发货。请把商品放回货架。</translation>
    </message>
    <message numerus="yes">
        <source>New orders: %n</source>
        <translation>
            <numerusform>新订单：%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>等另外 %n 个</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrderPanel</name>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>This chat is not about an order.</source>
        <translation>此聊天与订单无关。</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>发货截止</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>物流单号</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Show in Orders</source>
        <translation>在订单中查看</translation>
    </message>
    <message>
        <source>Ask Ozon support…</source>
        <translation>咨询 Ozon 客服…</translation>
    </message>
    <message>
        <source>Write to Ozon's seller support about this posting</source>
        <translation>就此货件联系 Ozon 卖家客服</translation>
    </message>
    <message>
        <source>Order {number}</source>
        <translation>订单 {number}</translation>
    </message>
</context>
<context>
    <name>OrdersPage</name>
    <message>
        <source>Confirm</source>
        <translation>确认接单</translation>
    </message>
    <message>
        <source>Print pick list</source>
        <translation>打印拣货单</translation>
    </message>
    <message>
        <source>Print labels</source>
        <translation>打印面单</translation>
    </message>
    <message>
        <source>Cancel…</source>
        <translation>取消…</translation>
    </message>
    <message>
        <source>Take the selected postings into work (Ozon approves new rFBS orders itself)</source>
        <translation>将所选订单转入处理（新的 rFBS 订单由 Ozon 自行确认）</translation>
    </message>
    <message>
        <source>Ozon approving</source>
        <translation>Ozon 确认中</translation>
    </message>
    <message>
        <source>To pack</source>
        <translation>待打包</translation>
    </message>
    <message>
        <source>To hand over</source>
        <translation>待交接</translation>
    </message>
    <message>
        <source>In delivery</source>
        <translation>配送中</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message numerus="yes">
        <source>Postings: %Ln</source>
        <translation>
            <numerusform>货件：%Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Selected: %n</source>
        <translation>
            <numerusform>已选：%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) wait for Ozon and print when they arrive</source>
        <translation>
            <numerusform>%n 张面单在等 Ozon，到达后自动打印</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not possible for %n posting(s):</source>
        <translation>
            <numerusform>%n 个货件无法执行：</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Confirmed: %n posting(s)</source>
        <translation>
            <numerusform>已确认：%n 个货件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Pick list for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>%n 个货件的拣货单已发送到打印机</numerusform>
        </translation>
    </message>
    <message>
        <source>Reprint labels</source>
        <translation>重新打印面单</translation>
    </message>
    <message>
        <source>These labels were printed before. Why print them again?</source>
        <translation>这些面单已打印过。为什么要重新打印？</translation>
    </message>
    <message numerus="yes">
        <source>Labels for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>%n 个货件的面单已发送到打印机</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cancelled: %n posting(s)</source>
        <translation>
            <numerusform>已取消：%n 个货件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrdersTable</name>
    <message>
        <source>Posting</source>
        <translation>货件</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>发货截止</translation>
    </message>
    <message>
        <source>Delivery method</source>
        <translation>配送方式</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Buyer city</source>
        <translation>买家城市</translation>
    </message>
    <message>
        <source>Tracking number</source>
        <translation>运单号</translation>
    </message>
    <message>
        <source>overdue {n} min</source>
        <translation>已逾期 {n} 分钟</translation>
    </message>
    <message>
        <source>in {n} min</source>
        <translation>{n} 分钟后</translation>
    </message>
    <message>
        <source>overdue {n} h</source>
        <translation>已逾期 {n} 小时</translation>
    </message>
    <message>
        <source>in {n} h</source>
        <translation>{n} 小时后</translation>
    </message>
    <message>
        <source>overdue {n} d</source>
        <translation>已逾期 {n} 天</translation>
    </message>
    <message>
        <source>in {n} d</source>
        <translation>{n} 天后</translation>
    </message>
    <message>
        <source>(pending sync)</source>
        <translation>（待同步）</translation>
    </message>
    <message>
        <source>Express</source>
        <translation>快递</translation>
    </message>
    <message>
        <source>Ozon status: {ozon}. Your action is saved and waits to be sent to Ozon.</source>
        <translation>Ozon 状态：{ozon}。您的操作已保存，正在等待发送给 Ozon。</translation>
    </message>
    <message>
        <source>Hand over to the carrier by {when} (local time)</source>
        <translation>请在 {when}（本地时间）前交给承运商</translation>
    </message>
</context>
<context>
    <name>OrdersTableModel</name>
    <message>
        <source>(not in the local copy)</source>
        <translation>（本地数据中没有）</translation>
    </message>
</context>
<context>
    <name>Outbox</name>
    <message>
        <source>Ship (packed)</source>
        <translation>发货（已打包）</translation>
    </message>
    <message>
        <source>Get Ozon's label</source>
        <translation>获取 Ozon 面单</translation>
    </message>
    <message>
        <source>Set tracking number</source>
        <translation>设置运单号</translation>
    </message>
    <message>
        <source>Mark as delivering</source>
        <translation>标记为配送中</translation>
    </message>
    <message>
        <source>Mark as last mile</source>
        <translation>标记为最后一公里</translation>
    </message>
    <message>
        <source>Mark as delivered</source>
        <translation>标记为已送达</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Confirm (approve)</source>
        <translation>确认（接受订单）</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>聊天消息</translation>
    </message>
    <message>
        <source>Chat attachment</source>
        <translation>聊天附件</translation>
    </message>
    <message>
        <source>Mark chat as read</source>
        <translation>将聊天标为已读</translation>
    </message>
    <message>
        <source>Open a chat with the buyer</source>
        <translation>与买家开启聊天</translation>
    </message>
    <message>
        <source>Return decision</source>
        <translation>退货决定</translation>
    </message>
    <message>
        <source>Reply to a review</source>
        <translation>回复评价</translation>
    </message>
    <message>
        <source>Mark a review processed</source>
        <translation>将评价标记为已处理</translation>
    </message>
    <message>
        <source>Answer to a question</source>
        <translation>回答问题</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>等待发送</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>Sent to Ozon</source>
        <translation>已发送给 Ozon</translation>
    </message>
    <message>
        <source>Refused by Ozon</source>
        <translation>被 Ozon 拒绝</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <source>Ozon refused a Честный ЗНАК code or a customs number (see Ozon's reason). The order stands: Drop and redo, then pack it again at the pack station with the right codes.</source>
        <translation>Ozon 不接受某个「Честный ЗНАК」标识码或报关单号（见 Ozon 给出的原因）。订单仍然有效：点击“放弃并重做”，然后在打包台用正确的编码重新打包。</translation>
    </message>
    <message>
        <source>Ozon needs data for this posting that Packdesk cannot send yet: complete it in Ozon's seller cabinet, then Drop the action here.</source>
        <translation>该订单需要 Packdesk 目前还无法提交的数据：请在 Ozon 卖家后台完成，然后在这里点击“放弃”。</translation>
    </message>
    <message>
        <source>Ozon will not take this shipment (usually the buyer cancelled). Do not ship it: put the goods back on the shelf, then Drop the action.</source>
        <translation>Ozon 不接受此次发货（通常是买家取消了订单）。请勿发货：把商品放回货架，然后放弃此操作。</translation>
    </message>
    <message>
        <source>This no longer applies: the order or return moved on in Ozon. Check it, then Drop the action.</source>
        <translation>此操作已不再适用：订单或退货在 Ozon 中已进入下一步。请检查后点击“放弃”。</translation>
    </message>
    <message>
        <source>Ozon refused this action. Check the posting: if the action still makes sense, Retry it; otherwise Drop it, or Drop and redo it differently.</source>
        <translation>Ozon 拒绝了此操作。请检查货件：如果操作仍有必要，请重试；否则放弃，或放弃后以其他方式重做。</translation>
    </message>
    <message>
        <source>You dropped this action. Retry sends it again.</source>
        <translation>您已放弃此操作。点击“重试”可再次发送。</translation>
    </message>
    <message>
        <source>Being sent right now.</source>
        <translation>正在发送。</translation>
    </message>
    <message>
        <source>Not sent yet: Packdesk keeps trying (attempt {n}).</source>
        <translation>尚未发送：Packdesk 会继续尝试（第 {n} 次）。</translation>
    </message>
    <message>
        <source>Saved on this computer; it goes to Ozon with the next sync.</source>
        <translation>已保存在本机；将在下次同步时发送给 Ozon。</translation>
    </message>
</context>
<context>
    <name>OutboxModel</name>
    <message>
        <source>Saved</source>
        <translation>保存时间</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Posting / chat</source>
        <translation>货件 / 聊天</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>如何处理</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Complete without scanning everything</source>
        <translation>未全部扫描即完成</translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) were not scanned. Why is the posting complete anyway?</source>
        <translation>
            <numerusform>有 %n 件未扫描。为什么仍然要完成该货件？</numerusform>
        </translation>
    </message>
    <message>
        <source>The barcode is missing or unreadable</source>
        <translation>条码缺失或无法识别</translation>
    </message>
    <message>
        <source>The scanner does not work</source>
        <translation>扫描枪无法使用</translation>
    </message>
    <message>
        <source>Checked by eye</source>
        <translation>已人工核对</translation>
    </message>
    <message>
        <source>This looks like a scanned code, not a reason. Type why the posting is complete.</source>
        <translation>这看起来像扫描的条码，而不是原因。请输入该货件为何视为完成。</translation>
    </message>
</context>
<context>
    <name>PackerButton</name>
    <message>
        <source>Packer: {name} ▾</source>
        <translation>打包员：{name} ▾</translation>
    </message>
    <message>
        <source>Who packs at this desk: scans, prints and decisions are recorded under it (F4)</source>
        <translation>谁在此工作台打包：扫描、打印和决定都记在此人名下（F4）</translation>
    </message>
</context>
<context>
    <name>PackerPicker</name>
    <message>
        <source>Who packs at this desk?</source>
        <translation>谁在此工作台打包？</translation>
    </message>
    <message>
        <source>No packers yet: add them in Settings → Packers. Until then this desk records the computer's login name ({name}).</source>
        <translation>还没有打包员：请在“设置 → 打包员”中添加。在此之前，本工作台记录电脑的登录名（{name}）。</translation>
    </message>
    <message>
        <source>{name}  (PIN)</source>
        <translation>{name}  （PIN）</translation>
    </message>
    <message>
        <source>PIN of {name}:</source>
        <translation>{name} 的 PIN 码：</translation>
    </message>
    <message>
        <source>{min}–{max} digits</source>
        <translation>{min}–{max} 位数字</translation>
    </message>
    <message>
        <source>Pack as this packer</source>
        <translation>以此打包员身份打包</translation>
    </message>
</context>
<context>
    <name>PackersBox</name>
    <message>
        <source>Packers</source>
        <translation>打包员</translation>
    </message>
    <message>
        <source>The people who pack at this shop's desks. Each picks their name on the Packing page (F4); scans, prints and decisions are recorded under it. A PIN keeps others from using the name. Saved at once, for every desk.</source>
        <translation>在本店各工作台打包的人员。每人在“打包”页面（F4）选择自己的名字；扫描、打印和决定都记在其名下。PIN 码可防止他人冒用该名字。立即保存，对所有工作台生效。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>PIN, optional</source>
        <translation>PIN 码（可选）</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Set PIN</source>
        <translation>设置 PIN</translation>
    </message>
    <message>
        <source>Clear PIN</source>
        <translation>清除 PIN</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>{name}  (PIN)</source>
        <translation>{name}  （PIN）</translation>
    </message>
    <message>
        <source>No packers yet: the desks record the computer's login name.</source>
        <translation>还没有打包员：各工作台记录电脑的登录名。</translation>
    </message>
    <message>
        <source>{name} is added.</source>
        <translation>已添加 {name}。</translation>
    </message>
    <message>
        <source>Type the new PIN in the PIN field, then press Set PIN.</source>
        <translation>请在 PIN 栏中输入新的 PIN 码，然后点击“设置 PIN”。</translation>
    </message>
    <message>
        <source>The PIN of {name} is set.</source>
        <translation>已为 {name} 设置 PIN 码。</translation>
    </message>
    <message>
        <source>{name} needs no PIN now.</source>
        <translation>{name} 现在无需 PIN 码。</translation>
    </message>
    <message>
        <source>{name} is removed; what they did stays recorded under their name.</source>
        <translation>已删除 {name}；其操作记录仍保留在该名字下。</translation>
    </message>
</context>
<context>
    <name>PackingDialogs</name>
    <message>
        <source>Put the posting aside</source>
        <translation>暂放该货件</translation>
    </message>
    <message>
        <source>Put posting {number} aside? What was scanned is forgotten; the goods go back.</source>
        <translation>要暂放货件 {number} 吗？已扫描的记录将被清除，商品请放回。</translation>
    </message>
    <message>
        <source>Take over the posting</source>
        <translation>接手货件</translation>
    </message>
    <message>
        <source>Posting {number} is on the station of {desk} ({packer}), with no scan there for several minutes. Take it over and pack it here? What was scanned there counts here; the other desk is told.</source>
        <translation>货件 {number} 在 {desk}（{packer}）的打包台上，已有几分钟没有扫描。要接手并在这里打包吗？那边已扫描的数量在这里照算；另一个工作台会收到通知。</translation>
    </message>
</context>
<context>
    <name>PackingPage</name>
    <message>
        <source>Scan a posting label, an item or a command…</source>
        <translation>扫描货件面单、商品或指令条码…</translation>
    </message>
    <message>
        <source>Scan a posting label to start</source>
        <translation>扫描货件面单开始</translation>
    </message>
    <message>
        <source>No posting on the desk</source>
        <translation>工作台上没有货件</translation>
    </message>
    <message>
        <source>F2 new box  ·  F8 complete anyway  ·  Esc put aside  ·  F9 print all ready labels</source>
        <translation>F2 新箱子  ·  F8 强制完成  ·  Esc 暂放  ·  F9 打印所有就绪面单</translation>
    </message>
    <message>
        <source>✗ Not saved — scan again; if it happens again, see the log</source>
        <translation>✗ 未保存 — 请重新扫描；如果再次发生，请查看日志</translation>
    </message>
    <message>
        <source>{name} packs at this desk now</source>
        <translation>现在由 {name} 在此工作台打包</translation>
    </message>
    <message numerus="yes">
        <source>Printing %n ready label(s) in packing order</source>
        <translation>
            <numerusform>正在按打包顺序打印 %n 张就绪面单</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Nothing ready to print: %n label(s) still wait for Ozon</source>
        <translation>
            <numerusform>没有可打印的面单：还有 %n 张在等待 Ozon</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing ready to print</source>
        <translation>没有可打印的面单</translation>
    </message>
    <message>
        <source>The command barcodes are queued for the label printer</source>
        <translation>命令条码已加入标签打印机队列</translation>
    </message>
    <message>
        <source>✓ Packed {number}</source>
        <translation>✓ 已打包 {number}</translation>
    </message>
    <message>
        <source>rFBS</source>
        <translation>rFBS</translation>
    </message>
    <message>
        <source>FBS</source>
        <translation>FBS</translation>
    </message>
    <message>
        <source>⚠ OVERDUE: was to ship by {when}</source>
        <translation>⚠ 已逾期：应在 {when} 前发货</translation>
    </message>
    <message>
        <source>ship by {when}</source>
        <translation>{when} 前发货</translation>
    </message>
    <message numerus="yes">
        <source>%n box(es)</source>
        <translation>
            <numerusform>%n 个箱子</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) not scanned (F8)</source>
        <translation>
            <numerusform>%n 件未扫描（F8）</numerusform>
        </translation>
    </message>
    <message>
        <source>One shipment in {boxes} boxes, as Ozon counts them (F2 to count them yourself)</source>
        <translation>一个货件共 {boxes} 箱（按 Ozon 的箱数；按 F2 自行计数）</translation>
    </message>
    <message>
        <source>One shipment in several boxes: box {box} (F2 next box)</source>
        <translation>一个订单分多箱：第 {box} 箱（F2 下一箱）</translation>
    </message>
    <message>
        <source>Filling box {box}</source>
        <translation>正在装箱 {box}</translation>
    </message>
    <message>
        <source>Checking the posting with Ozon before shipping…</source>
        <translation>发货前正在向 Ozon 核实货件…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message numerus="yes">
        <source>(%n scan(s) waiting)</source>
        <translation>
            <numerusform>（%n 次扫描待处理）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PostingHistory</name>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>PostingItems</name>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Barcode / offer ID</source>
        <translation>条码 / 货号</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>价格</translation>
    </message>
</context>
<context>
    <name>PostingStatus</name>
    <message>
        <source>Awaiting registration</source>
        <translation>等待登记</translation>
    </message>
    <message>
        <source>Acceptance in progress</source>
        <translation>正在验收</translation>
    </message>
    <message>
        <source>Waiting for Ozon's approval</source>
        <translation>等待 Ozon 确认</translation>
    </message>
    <message>
        <source>Awaiting packaging</source>
        <translation>等待打包</translation>
    </message>
    <message>
        <source>Awaiting shipment</source>
        <translation>等待发运</translation>
    </message>
    <message>
        <source>Arbitration</source>
        <translation>仲裁</translation>
    </message>
    <message>
        <source>Client arbitration</source>
        <translation>客户仲裁</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>配送中</translation>
    </message>
    <message>
        <source>With the driver</source>
        <translation>司机已取件</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Not accepted at sorting</source>
        <translation>分拣中心未接收</translation>
    </message>
    <message>
        <source>Sent by seller</source>
        <translation>卖家已发出</translation>
    </message>
    <message>
        <source>Awaiting verification</source>
        <translation>等待核验</translation>
    </message>
    <message>
        <source>Cancelled (split)</source>
        <translation>已取消（拆分）</translation>
    </message>
    <message>
        <source>Unknown status</source>
        <translation>未知状态</translation>
    </message>
</context>
<context>
    <name>PrintQueuePanel</name>
    <message>
        <source>Labels</source>
        <translation>面单</translation>
    </message>
    <message>
        <source>Batch mode: ready labels print when you press F9</source>
        <translation>批量模式：按 F9 时打印就绪的面单</translation>
    </message>
    <message>
        <source>Print all ready labels (F9)</source>
        <translation>打印所有就绪面单（F9）</translation>
    </message>
    <message>
        <source>Print the command barcodes</source>
        <translation>打印命令条码</translation>
    </message>
    <message>
        <source>Waiting for Ozon: {waiting} · ready: {queued} · failed: {failed}</source>
        <translation>等待 Ozon：{waiting} · 就绪：{queued} · 失败：{failed}</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>面单</translation>
    </message>
    <message>
        <source>Own label</source>
        <translation>自制面单</translation>
    </message>
    <message>
        <source>Handover act</source>
        <translation>交接单</translation>
    </message>
    <message>
        <source>{what} (reprint)</source>
        <translation>{what}（重新打印）</translation>
    </message>
    <message>
        <source>waits for Ozon</source>
        <translation>等待 Ozon</translation>
    </message>
    <message>
        <source>ready to print</source>
        <translation>可打印</translation>
    </message>
    <message>
        <source>failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
</context>
<context>
    <name>QuestionsModel</name>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation>提问人</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>answer waiting to be sent</source>
        <translation>回答待发送</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>未回答</translation>
    </message>
</context>
<context>
    <name>QuestionsTab</name>
    <message>
        <source>Templates…</source>
        <translation>模板…</translation>
    </message>
    <message>
        <source>The template «{name}» uses {fields}, which a question cannot fill: choose another or write the answer yourself.</source>
        <translation>模板「{name}」使用了 {fields}，问题无法填写这些内容：请选择其他模板或自己撰写回答。</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>任意状态</translation>
    </message>
    <message>
        <source>Answered or not</source>
        <translation>已答或未答</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>未回答</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <source>Search in questions and product names…</source>
        <translation>搜索问题和商品名称…</translation>
    </message>
    <message>
        <source>Product:</source>
        <translation>商品：</translation>
    </message>
    <message>
        <source>Asked by:</source>
        <translation>提问人：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Write a public answer in Russian (every buyer sees it)…</source>
        <translation>用俄语写公开回答（所有买家都能看到）…</translation>
    </message>
    <message>
        <source>Send answer</source>
        <translation>发送回答</translation>
    </message>
    <message>
        <source>No question matches the filters.</source>
        <translation>没有符合筛选条件的问题。</translation>
    </message>
    <message>
        <source>No questions yet. They appear here after a sync.</source>
        <translation>还没有问题。同步后会显示在这里。</translation>
    </message>
    <message>
        <source>Choose a question on the left.</source>
        <translation>请在左侧选择一个问题。</translation>
    </message>
    <message>
        <source>Question of {when}</source>
        <translation>{when} 的问题</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>answer waiting to be sent</source>
        <translation>回答待发送</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>未回答</translation>
    </message>
    <message>
        <source>The answer has {count} characters; Ozon takes at most 3000.</source>
        <translation>回答有 {count} 个字符；Ozon 最多接受 3000 个。</translation>
    </message>
    <message>
        <source>Answer saved: it is sent to Ozon with the next sync.</source>
        <translation>回答已保存：将在下次同步时发送给 Ozon。</translation>
    </message>
</context>
<context>
    <name>ReceiveDialog</name>
    <message>
        <source>Receive a return</source>
        <translation>退货收货</translation>
    </message>
    <message>
        <source>Scan the parcel barcode or type the posting number, then Enter</source>
        <translation>扫描包裹条码或输入货件号，然后按回车</translation>
    </message>
    <message>
        <source>What you see: scratches, missing parts…</source>
        <translation>看到的情况：划痕、缺件…</translation>
    </message>
    <message>
        <source>No photos</source>
        <translation>没有照片</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>Scan each unit's marking code (Честный ЗНАК), if it has one</source>
        <translation>如有标识码（Честный ЗНАК），请逐件扫描</translation>
    </message>
    <message>
        <source>Confirm receipt</source>
        <translation>确认收货</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Condition:</source>
        <translation>状况：</translation>
    </message>
    <message>
        <source>Then:</source>
        <translation>处理：</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>Photos:</source>
        <translation>照片：</translation>
    </message>
    <message>
        <source>Marking codes of the returned units:</source>
        <translation>退回商品的标识码：</translation>
    </message>
    <message>
        <source>No return is expected under {code}.</source>
        <translation>{code} 下没有待收的退货。</translation>
    </message>
    <message>
        <source>Expected in this parcel:</source>
        <translation>此包裹应包含：</translation>
    </message>
    <message>
        <source>received</source>
        <translation>已收货</translation>
    </message>
    <message>
        <source>not sent back</source>
        <translation>未寄回</translation>
    </message>
    <message>
        <source>Scan the parcel first.</source>
        <translation>请先扫描包裹。</translation>
    </message>
    <message>
        <source>This unit was scanned already: scan the next unit.</source>
        <translation>这件商品已扫描过，请扫描下一件。</translation>
    </message>
    <message>
        <source>not a marking code</source>
        <translation>不是标识码</translation>
    </message>
    <message>
        <source>DIFFERS from the codes shipped in this posting</source>
        <translation>与此货件发出的标识码不一致</translation>
    </message>
    <message>
        <source>This unit's marking code differs from the one shipped: the wrong item may have come back.</source>
        <translation>此商品的标识码与发出的不一致：退回的可能不是原商品。</translation>
    </message>
    <message>
        <source>Photos of the return</source>
        <translation>退货照片</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp)</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n 张照片</numerusform>
        </translation>
    </message>
    <message>
        <source>Not added, not a PNG, JPEG or WEBP photo of at most 10 MB: {names}</source>
        <translation>未添加，不是 PNG、JPEG 或 WEBP 照片或超过 10 MB：{names}</translation>
    </message>
    <message>
        <source>Received, FLAGGED: a marking code differs from the shipped one. Keep the item aside.</source>
        <translation>已收货，已标记异常：标识码与发出的不一致。请把商品单独放置。</translation>
    </message>
    <message>
        <source>Received. Scan the next parcel.</source>
        <translation>已收货。请扫描下一个包裹。</translation>
    </message>
</context>
<context>
    <name>ReturnDetail</name>
    <message>
        <source>Product:</source>
        <translation>商品：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Where:</source>
        <translation>位置：</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Buyer's comment:</source>
        <translation>买家留言：</translation>
    </message>
    <message>
        <source>Buyer chat</source>
        <translation>买家聊天</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Why: the buyer reads this (in Russian)</source>
        <translation>原因：买家会看到（请用俄语）</translation>
    </message>
    <message>
        <source>Send the decision</source>
        <translation>发送决定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Rejection reason:</source>
        <translation>拒绝原因：</translation>
    </message>
    <message>
        <source>Comment for the buyer:</source>
        <translation>给买家的说明：</translation>
    </message>
    <message>
        <source>Compensation, ₽:</source>
        <translation>补偿金额，₽：</translation>
    </message>
    <message>
        <source>At the desk</source>
        <translation>在工作台</translation>
    </message>
    <message>
        <source>Replacement posting number</source>
        <translation>换货货件号</translation>
    </message>
    <message>
        <source>Note: tracking number, date…</source>
        <translation>备注：运单号、日期…</translation>
    </message>
    <message>
        <source>Link the exchange</source>
        <translation>关联换货</translation>
    </message>
    <message>
        <source>Exchange: link a replacement posting or record a resend</source>
        <translation>换货：关联换货货件，或记录重新发货</translation>
    </message>
    <message>
        <source>How the posting left the desk</source>
        <translation>货件出库记录</translation>
    </message>
    <message>
        <source>Choose a return on the left.</source>
        <translation>请在左侧选择一条退货。</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Open the buyer's photo</source>
        <translation>打开买家的照片</translation>
    </message>
    <message>
        <source>Decision saved: «{decision}». It is sent to Ozon with the next sync.</source>
        <translation>决定已保存：«{decision}»。将在下次同步时发送给 Ozon。</translation>
    </message>
    <message>
        <source>The decision deadline has passed: Ozon decides this request itself. Nothing to do here.</source>
        <translation>决定期限已过：此申请由 Ozon 自行决定。这里无需操作。</translation>
    </message>
    <message>
        <source>Ozon offers these actions now:</source>
        <translation>Ozon 当前提供以下操作：</translation>
    </message>
    <message>
        <source>Ozon offers no action on this request now.</source>
        <translation>Ozon 目前对此申请没有可用操作。</translation>
    </message>
    <message>
        <source>Ozon decides FBS and FBO returns in the seller cabinet; here you follow them.</source>
        <translation>FBS 和 FBO 退货在 Ozon 卖家后台处理；这里可以跟踪进度。</translation>
    </message>
    <message>
        <source>Choose a reason…</source>
        <translation>选择原因…</translation>
    </message>
    <message>
        <source>at most {amount}</source>
        <translation>最多 {amount}</translation>
    </message>
    <message>
        <source>Received {when} by {user}: {grade}, {disposition}</source>
        <translation>{when} 由 {user} 收货：{grade}，{disposition}</translation>
    </message>
    <message>
        <source>⚠ A marking code differs from the shipped one: the wrong item may have come back.</source>
        <translation>⚠ 标识码与发出的不一致：退回的可能不是原商品。</translation>
    </message>
    <message>
        <source>Not received yet.</source>
        <translation>尚未收货。</translation>
    </message>
    <message>
        <source>This posting is not in the local copy: it was not packed here.</source>
        <translation>本地没有此货件：它不是在这里打包的。</translation>
    </message>
    <message>
        <source>Packed: {when}</source>
        <translation>打包时间：{when}</translation>
    </message>
    <message>
        <source>Labels printed: {count}</source>
        <translation>已打印标签：{count}</translation>
    </message>
    <message>
        <source>Handed over: {when}</source>
        <translation>交接时间：{when}</translation>
    </message>
    <message>
        <source>Marking code {code} (SKU {sku})</source>
        <translation>标识码 {code}（SKU {sku}）</translation>
    </message>
</context>
<context>
    <name>Returns</name>
    <message>
        <source>Needs a decision</source>
        <translation>待决定</translation>
    </message>
    <message>
        <source>On the way back</source>
        <translation>退回途中</translation>
    </message>
    <message>
        <source>Arrived</source>
        <translation>已到达</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>FBS return</source>
        <translation>FBS 退货</translation>
    </message>
    <message>
        <source>FBO return</source>
        <translation>FBO 退货</translation>
    </message>
    <message>
        <source>rFBS request</source>
        <translation>rFBS 退货申请</translation>
    </message>
    <message>
        <source>New, sealed</source>
        <translation>全新，未拆封</translation>
    </message>
    <message>
        <source>Opened, complete</source>
        <translation>已拆封，完整</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>损坏</translation>
    </message>
    <message>
        <source>Wrong item</source>
        <translation>不是原商品</translation>
    </message>
    <message>
        <source>Back to stock</source>
        <translation>重新入库</translation>
    </message>
    <message>
        <source>Write off</source>
        <translation>报废</translation>
    </message>
    <message>
        <source>Replacement posting</source>
        <translation>换货货件</translation>
    </message>
    <message>
        <source>Resent</source>
        <translation>已重新发货</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分</translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation>已超时 {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
    <message>
        <source>Overdue: Ozon approves the return for the buyer (deadline was {when}).</source>
        <translation>已超过截止时间（{when}）：Ozon 自行为买家批准退货。</translation>
    </message>
    <message>
        <source>Decide by {when}, or Ozon approves the return for the buyer automatically.</source>
        <translation>请在 {when} 前决定，否则 Ozon 会自动替买家批准退货。</translation>
    </message>
    <message>
        <source>paid storage since {when}</source>
        <translation>自 {when} 起收取仓储费</translation>
    </message>
    <message>
        <source>paid storage from {when}</source>
        <translation>{when} 起收取仓储费</translation>
    </message>
</context>
<context>
    <name>ReturnsModel</name>
    <message>
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Where it is</source>
        <translation>当前位置</translation>
    </message>
    <message>
        <source>Decide within</source>
        <translation>剩余决定时间</translation>
    </message>
    <message>
        <source>waiting to be sent: {decision}</source>
        <translation>待发送：{decision}</translation>
    </message>
    <message>
        <source>decided</source>
        <translation>已决定</translation>
    </message>
</context>
<context>
    <name>ReturnsPage</name>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Search: posting, return number, SKU, article, product, buyer…</source>
        <translation>搜索：货件号、退货号、SKU、货号、商品、买家…</translation>
    </message>
    <message>
        <source>Receive a return…</source>
        <translation>退货收货…</translation>
    </message>
    <message>
        <source>Scan a returned parcel at the desk</source>
        <translation>在工作台扫描退回的包裹</translation>
    </message>
    <message>
        <source>No return matches the search.</source>
        <translation>没有符合搜索的退货。</translation>
    </message>
    <message>
        <source>No returns here. Returns and return requests appear after a sync.</source>
        <translation>这里没有退货。退货和退货申请会在同步后显示。</translation>
    </message>
    <message>
        <source>All ({count})</source>
        <translation>全部 ({count})</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>This return is no longer in the local copy.</source>
        <translation>本地已没有这条退货。</translation>
    </message>
    <message>
        <source>Decision saved: it is sent to Ozon with the next sync.</source>
        <translation>决定已保存：将在下次同步时发送给 Ozon。</translation>
    </message>
    <message>
        <source>The photo is not available.</source>
        <translation>照片无法显示。</translation>
    </message>
    <message>
        <source>Buyer's photo</source>
        <translation>买家照片</translation>
    </message>
</context>
<context>
    <name>Reviews</name>
    <message>
        <source>New</source>
        <translation>新</translation>
    </message>
    <message>
        <source>Viewed</source>
        <translation>已查看</translation>
    </message>
    <message>
        <source>Processed</source>
        <translation>已处理</translation>
    </message>
</context>
<context>
    <name>ReviewsModel</name>
    <message>
        <source>Rating</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>(rating only, no text)</source>
        <translation>（仅评分，无文字）</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>replied</source>
        <translation>已回复</translation>
    </message>
</context>
<context>
    <name>ReviewsPage</name>
    <message>
        <source>Reviews</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>{name} ({count})</source>
        <translation>{name} ({count})</translation>
    </message>
    <message>
        <source>Your Ozon plan does not include reviews and questions: they are not synced and replies cannot be sent. Everything else in Packdesk works.</source>
        <translation>您的 Ozon 套餐不包含评价和问题：它们不会同步，也无法发送回复。Packdesk 的其他功能照常使用。</translation>
    </message>
</context>
<context>
    <name>ReviewsTab</name>
    <message>
        <source>Any rating</source>
        <translation>任意评分</translation>
    </message>
    <message>
        <source>1–3 stars</source>
        <translation>1–3 星</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>任意状态</translation>
    </message>
    <message>
        <source>Replied or not</source>
        <translation>已回复或未回复</translation>
    </message>
    <message>
        <source>Not replied</source>
        <translation>未回复</translation>
    </message>
    <message>
        <source>Replied</source>
        <translation>已回复</translation>
    </message>
    <message>
        <source>Search in reviews and product names…</source>
        <translation>搜索评价和商品名称…</translation>
    </message>
    <message>
        <source>Product:</source>
        <translation>商品：</translation>
    </message>
    <message>
        <source>Photos:</source>
        <translation>照片：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Write a public reply in Russian…</source>
        <translation>用俄语写公开回复…</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>模板…</translation>
    </message>
    <message>
        <source>Mark processed</source>
        <translation>标记为已处理</translation>
    </message>
    <message>
        <source>Mark the review processed on Ozon without a reply</source>
        <translation>在 Ozon 上将评价标记为已处理，不回复</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>发送回复</translation>
    </message>
    <message>
        <source>No review matches the filters.</source>
        <translation>没有符合筛选条件的评价。</translation>
    </message>
    <message>
        <source>No reviews yet. They appear here after a sync.</source>
        <translation>还没有评价。同步后会显示在这里。</translation>
    </message>
    <message>
        <source>Choose a review on the left.</source>
        <translation>请在左侧选择一条评价。</translation>
    </message>
    <message>
        <source>Review of {when}</source>
        <translation>{when} 的评价</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>replied</source>
        <translation>已回复</translation>
    </message>
    <message>
        <source>(rating only, no text)</source>
        <translation>（仅评分，无文字）</translation>
    </message>
    <message>
        <source>The reply has {count} characters; Ozon takes at most 3000.</source>
        <translation>回复有 {count} 个字符；Ozon 最多接受 3000 个。</translation>
    </message>
    <message numerus="yes">
        <source>The same reply went to %n other review(s) in the last 30 days. Ozon penalises repeated answers: better write it in other words.</source>
        <translation>
            <numerusform>过去 30 天内已有 %n 条其他评价收到了相同的回复。Ozon 会处罚重复回复：最好换个说法。</numerusform>
        </translation>
    </message>
    <message>
        <source>Reply saved: it is sent to Ozon with the next sync.</source>
        <translation>回复已保存：将在下次同步时发送给 Ozon。</translation>
    </message>
    <message>
        <source>Send anyway?</source>
        <translation>仍要发送？</translation>
    </message>
    <message>
        <source>Send this reply anyway?</source>
        <translation>仍要发送这条回复吗？</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>仍然发送</translation>
    </message>
    <message>
        <source>Edit the reply</source>
        <translation>修改回复</translation>
    </message>
    <message>
        <source>The template «{name}» uses {fields}, which a review cannot fill: choose another or write the reply yourself.</source>
        <translation>模板«{name}»使用了 {fields}，评价无法填写：请选择其他模板或自己写回复。</translation>
    </message>
</context>
<context>
    <name>Section</name>
    <message>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <source>Excel…</source>
        <translation>Excel…</translation>
    </message>
    <message>
        <source>Save this table as CSV (opens in Excel, Cyrillic and Chinese kept)</source>
        <translation>将此表保存为 CSV（可用 Excel 打开，中文和俄文不乱码）</translation>
    </message>
    <message>
        <source>Save this table as an Excel workbook (.xlsx)</source>
        <translation>将此表保存为 Excel 工作簿 (.xlsx)</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Save settings</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <source>Ozon account</source>
        <translation>Ozon 账户</translation>
    </message>
    <message>
        <source>Ozon seller cabinet → Settings → API keys</source>
        <translation>Ozon 卖家后台 → 设置 → API 密钥</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>The Api-Key is kept in the system keyring, never in the settings file. Empty: keep it.</source>
        <translation>Api-Key 保存在系统密钥环中，绝不会写入设置文件。留空则保持不变。</translation>
    </message>
    <message>
        <source>Client-Id</source>
        <translation>Client-Id</translation>
    </message>
    <message>
        <source>Api-Key</source>
        <translation>Api-Key</translation>
    </message>
    <message>
        <source>Key expires</source>
        <translation>密钥到期</translation>
    </message>
    <message>
        <source>Automatic: demo until an account is set up</source>
        <translation>自动：设置账户前使用演示</translation>
    </message>
    <message>
        <source>On: the built-in demo shop</source>
        <translation>开启：内置演示店铺</translation>
    </message>
    <message>
        <source>Off: my Ozon shop</source>
        <translation>关闭：我的 Ozon 店铺</translation>
    </message>
    <message>
        <source>Demo mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>A system printer, tcp://HOST:9100 for a network printer, or a file path</source>
        <translation>系统打印机、网络打印机 tcp://主机:9100，或文件路径</translation>
    </message>
    <message>
        <source>PDF (printer driver)</source>
        <translation>PDF（打印机驱动）</translation>
    </message>
    <message>
        <source>ZPL (Zebra)</source>
        <translation>ZPL（斑马）</translation>
    </message>
    <message>
        <source>TSPL (TSC, Xprinter)</source>
        <translation>TSPL（TSC、芯烨）</translation>
    </message>
    <message>
        <source>{size} mm</source>
        <translation>{size} 毫米</translation>
    </message>
    <message>
        <source>{dpi} dpi</source>
        <translation>{dpi} dpi</translation>
    </message>
    <message>
        <source>Print a test label</source>
        <translation>打印测试面单</translation>
    </message>
    <message>
        <source>Print the label as soon as a posting is packed</source>
        <translation>货件打包完成后立即打印面单</translation>
    </message>
    <message>
        <source>Shop or company name on your own labels (empty: the warehouse)</source>
        <translation>自有面单上的店铺或公司名称（留空：使用仓库名称）</translation>
    </message>
    <message>
        <source>Label printer</source>
        <translation>面单打印机</translation>
    </message>
    <message>
        <source>A4 printer</source>
        <translation>A4 打印机</translation>
    </message>
    <message>
        <source>Label language</source>
        <translation>面单语言</translation>
    </message>
    <message>
        <source>Label size</source>
        <translation>面单尺寸</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>发件人</translation>
    </message>
    <message>
        <source>Packing and handover</source>
        <translation>打包与交接</translation>
    </message>
    <message>
        <source>Empty: the scanner sends the GS character itself</source>
        <translation>留空：扫描枪会直接发送 GS 字符</translation>
    </message>
    <message>
        <source>Честный ЗНАК codes contain an invisible separator (GS). If your scanner is set to type something else in its place, enter that here.</source>
        <translation>「Честный ЗНАК」标识码中含有不可见的分隔符（GS）。如果扫描枪被设置为用其他字符代替它，请在此填写。</translation>
    </message>
    <message>
        <source>My shop is on Ozon's trusted acceptance</source>
        <translation>我的店铺已开通 Ozon 信任验收</translation>
    </message>
    <message>
        <source>Then Ozon is told the number of boxes of each carriage; without it Ozon expects no box count.</source>
        <translation>开通后每次交接会向 Ozon 报告箱数；未开通时 Ozon 不需要箱数。</translation>
    </message>
    <message>
        <source>GS placeholder</source>
        <translation>GS 替代符</translation>
    </message>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message>
        <source>Sounds for good and wrong scans</source>
        <translation>扫描成功和错误时播放提示音</translation>
    </message>
    <message>
        <source>Notify me when a buyer writes in a chat</source>
        <translation>买家发来聊天消息时通知我</translation>
    </message>
    <message>
        <source>Play a sound when a buyer writes in a chat</source>
        <translation>买家发来聊天消息时播放提示音</translation>
    </message>
    <message>
        <source>Auto-replies set to answer outside working hours use these (local time).</source>
        <translation>设为“非工作时间”回复的自动回复按此时间判断（本地时间）。</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Buyers' names and addresses of finished orders are erased after this many days (Ozon's rules).</source>
        <translation>已完成订单中买家的姓名和地址在这么多天后清除（Ozon 规定）。</translation>
    </message>
    <message>
        <source>Restart Packdesk to apply the changes (account, language, mode, sync interval, buyers' details).</source>
        <translation>请重启 Packdesk 以应用更改（账户、语言、模式、同步间隔、买家信息）。</translation>
    </message>
    <message>
        <source>Sync every</source>
        <translation>同步间隔</translation>
    </message>
    <message>
        <source>Language, demo mode, sync interval, working hours and how long buyers' details are kept apply after a restart.</source>
        <translation>语言、演示模式、同步间隔、工作时间和买家信息保留期限在重启后生效。</translation>
    </message>
    <message>
        <source>Working hours</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Keep buyers' details</source>
        <translation>保留买家信息</translation>
    </message>
    <message>
        <source>Paste the Api-Key here</source>
        <translation>在此粘贴 Api-Key</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>已保存在系统密钥环中</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>The database address and the desk's name take effect when Packdesk starts again: the database cannot be swapped under a running window.</source>
        <translation>数据库地址和工位名称在 Packdesk 重新启动后生效：无法在运行中的窗口下更换数据库。</translation>
    </message>
    <message>
        <source>Asking Ozon…</source>
        <translation>正在询问 Ozon…</translation>
    </message>
    <message>
        <source>Connected: Ozon accepted the Client-Id and Api-Key.</source>
        <translation>已连接：Ozon 接受了 Client-Id 和 Api-Key。</translation>
    </message>
    <message>
        <source>Demo mode: every label and document is saved as a file in {folder}</source>
        <translation>演示模式：每张面单和每份单据都以文件形式保存在 {folder}</translation>
    </message>
    <message>
        <source>Demo: files in {folder}</source>
        <translation>演示：文件保存在 {folder}</translation>
    </message>
    <message>
        <source>Demo mode syncs every {seconds} s; the interval above is for your own shop.</source>
        <translation>演示模式每 {seconds} 秒同步一次；上面的间隔用于您自己的店铺。</translation>
    </message>
    <message>
        <source>No Api-Key yet: the demo needs none.</source>
        <translation>尚未设置 Api-Key：演示模式不需要。</translation>
    </message>
    <message>
        <source>Not checked in demo mode: test the connection to find out.</source>
        <translation>演示模式下不检查：请测试连接以了解。</translation>
    </message>
    <message>
        <source>Unknown: test the connection to find out.</source>
        <translation>未知：请测试连接以获取。</translation>
    </message>
    <message numerus="yes">
        <source>{date}: %n day(s) left. Create a new key in the Ozon seller cabinet.</source>
        <translation>
            <numerusform>{date}：剩余 %n 天。请在 Ozon 卖家后台创建新密钥。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{date} (%n day(s) left)</source>
        <translation>
            <numerusform>{date}（剩余 %n 天）</numerusform>
        </translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <source>Sent. The frame must be whole and the ruler's 10 mm marks exactly 10 mm apart.</source>
        <translation>已发送。边框应完整，标尺上 10 毫米刻度的间距应正好为 10 毫米。</translation>
    </message>
</context>
<context>
    <name>StopOverlay</name>
    <message>
        <source>DO NOT SHIP — put the goods back</source>
        <translation>请勿发货 — 请把商品放回</translation>
    </message>
    <message>
        <source>The goods are back on the shelf — continue</source>
        <translation>商品已放回货架 — 继续</translation>
    </message>
    <message>
        <source>or scan the ACK (or ABORT) command barcode</source>
        <translation>或扫描 ACK（或 ABORT）指令条码</translation>
    </message>
    <message>
        <source>Posting {number} was cancelled</source>
        <translation>货件 {number} 已被取消</translation>
    </message>
    <message>
        <source>Back to the shelf: {goods}</source>
        <translation>放回货架：{goods}</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>DEMO MODE — emulator, not your Ozon shop</source>
        <translation>演示模式 — 模拟器，不是您的 Ozon 店铺</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>Sync: looking for the leading desk…</source>
        <translation>同步：正在查找主工位…</translation>
    </message>
    <message>
        <source>Show the actions waiting for Ozon and the ones it refused</source>
        <translation>查看等待 Ozon 处理和被拒绝的操作</translation>
    </message>
    <message>
        <source>Sync off</source>
        <translation>同步已关闭</translation>
    </message>
    <message>
        <source>Sync: no desk leads — is another desk open?</source>
        <translation>同步：没有主工位——其他工位是否已打开？</translation>
    </message>
    <message>
        <source>Sync: this desk leads</source>
        <translation>同步：由本工位主导</translation>
    </message>
    <message>
        <source>Sync: led by {desk}</source>
        <translation>同步：由 {desk} 主导</translation>
    </message>
    <message>
        <source>Last sync {time}</source>
        <translation>上次同步 {time}</translation>
    </message>
    <message numerus="yes">
        <source>Pending actions: %n</source>
        <translation>
            <numerusform>待发送操作：%n</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing pending</source>
        <translation>没有待发送的操作</translation>
    </message>
    <message numerus="yes">
        <source>Conflicts: %n</source>
        <translation>
            <numerusform>冲突：%n</numerusform>
        </translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Sync failed {time}</source>
        <translation>同步失败 {time}</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <source>● Offline — actions are saved and sent later</source>
        <translation>● 离线 — 操作已保存，稍后发送</translation>
    </message>
    <message>
        <source>Ozon rejected the API key</source>
        <translation>Ozon 拒绝了 API 密钥</translation>
    </message>
    <message>
        <source>{area}: not available on your Ozon plan; that part of sync is paused</source>
        <translation>{area}：您的 Ozon 套餐不包含此功能；该部分同步已暂停</translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <source>Templates</source>
        <translation>回复模板</translation>
    </message>
    <message>
        <source>Search by name (中文 / English)…</source>
        <translation>按名称搜索（中文 / English）…</translation>
    </message>
    <message>
        <source>Matching first: {what}</source>
        <translation>优先显示匹配的：{what}</translation>
    </message>
    <message>
        <source>All templates</source>
        <translation>全部模板</translation>
    </message>
    <message>
        <source>Insert</source>
        <translation>插入</translation>
    </message>
</context>
<context>
    <name>TemplatesDialog</name>
    <message>
        <source>Answer templates</source>
        <translation>回复模板</translation>
    </message>
    <message>
        <source>a-z, 0-9 and _, e.g. where_is_order</source>
        <translation>a-z、0-9 和 _，例如 where_is_order</translation>
    </message>
    <message>
        <source>Variables: {list}</source>
        <translation>变量：{list}</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键名</translation>
    </message>
    <message>
        <source>Name (Chinese)</source>
        <translation>名称（中文）</translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation>名称（英文）</translation>
    </message>
    <message>
        <source>Intents (comma list)</source>
        <translation>意图（逗号分隔）</translation>
    </message>
    <message>
        <source>Text for the buyer (Russian):</source>
        <translation>发给买家的文本（俄语）：</translation>
    </message>
    <message>
        <source>Saved: {name}</source>
        <translation>已保存：{name}</translation>
    </message>
    <message>
        <source>Delete the template</source>
        <translation>删除模板</translation>
    </message>
    <message>
        <source>Delete the template {name}? This cannot be undone.</source>
        <translation>删除模板 {name}？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Deleted: {key}</source>
        <translation>已删除：{key}</translation>
    </message>
    <message>
        <source>Import templates</source>
        <translation>导入模板</translation>
    </message>
    <message>
        <source>Imported {count} templates.</source>
        <translation>已导入 {count} 个模板。</translation>
    </message>
    <message>
        <source>Export templates</source>
        <translation>导出模板</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>已保存：{path}</translation>
    </message>
</context>
</TS>
