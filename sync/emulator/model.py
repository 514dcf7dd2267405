"""The emulator's records. Plain mutable dataclasses; the store owns them and guards them with its lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True, eq=False)
class Product:
    product_id: int
    sku: int
    offer_id: str
    name: str
    category: str
    price: int  # kopecks
    old_price: int
    color: str
    weight: float  # kg
    dims: tuple[int, int, int]  # depth, width, height in mm
    barcodes: list[str]
    images: list[str]
    created_at: datetime
    stock: int
    fragment: str = field(default="", repr=False)  # cached JSON of the v4 line fields that never change
    needs: frozenset[str] = frozenset()  # "mandatory_mark" | "gtd" | "multibox" (see requirements.py)
    mark_group: str = ""  # Честный ЗНАК product group: "shoes" | "clothes" | "perfume"
    boxes: int = 1  # boxes one item ships in (a multi-box product: more than one)


@dataclass(slots=True, eq=False)
class Warehouse:
    id: int
    name: str
    city: str


@dataclass(slots=True, eq=False)
class DeliveryMethod:
    id: int
    name: str
    warehouse: Warehouse
    tpl_provider_id: int
    tpl_provider: str
    integration: str  # "ozon" | "non_integrated"
    kind: str  # "dropoff" | "pickup" | "courier" | "post"
    fragment: str = field(default="", repr=False)  # cached JSON of the v4 delivery fields

    @property
    def rfbs(self) -> bool:
        return self.integration == "non_integrated"


@dataclass(slots=True, eq=False)
class Line:
    product: Product
    quantity: int
    price: int  # kopecks, per item, what the buyer pays
    old_price: int
    commission_percent: int


@dataclass(slots=True, eq=False)
class Customer:
    customer_id: int
    name: str
    phone: str
    email: str
    region: str
    district: str
    city: str
    zip_code: str
    address_tail: str
    comment: str
    latitude: float
    longitude: float
    pvz_code: int
    delivery_type: str  # "PVZ" | "Courier" | "PostOffice"
    cluster: str
    company: str = ""
    inn: str = ""
    kpp: str = ""
    fragment: str = field(default="", repr=False)  # cached v4 JSON of addressee + customer


@dataclass(slots=True, eq=False)
class Cancellation:
    reason_id: int
    reason: str
    cancellation_type: str
    initiator: str
    after_ship: bool
    affects_rating: bool


@dataclass(slots=True, eq=False)
class Mark:
    mark: str
    mark_type: str  # "mandatory_mark" | "jw_uin" | "imei"
    errors: list[str] = field(default_factory=list)  # check results of the set that sent it


@dataclass(slots=True, eq=False)
class Exemplar:
    """One physical item of a posting line and the data the seller set for it (docs/ozon-contract.md, Exemplars)."""

    exemplar_id: int
    gtd: str = ""
    is_gtd_absent: bool = False
    rnpt: str = ""
    is_rnpt_absent: bool = False
    weight: float = 0.0
    marks: list[Mark] = field(default_factory=list)
    gtd_errors: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Posting:
    number: str
    order_id: int
    order_number: str
    method: DeliveryMethod
    lines: list[Line]
    customer: Customer
    in_process_at: datetime
    shipment_date: datetime
    status_changed_at: datetime
    status: str
    substatus: str
    upper_barcode: str
    lower_barcode: str
    scanit: str
    style: int  # timestamp style, see clock.iso
    payment: str
    is_premium: bool
    is_express: bool = False
    parent_number: str = ""
    previous_substatus: str = ""
    delivering_date: datetime | None = None
    delivered_at: datetime | None = None
    tracking_number: str = ""
    cancellation: Cancellation | None = None
    label_ready: bool = False
    carriage_id: int | None = None
    multi_box_qty: int = 0  # boxes the seller set with /v3/posting/multiboxqty/set; 0 = not set
    exemplars: dict[int, list[Exemplar]] = field(default_factory=dict)  # by SKU, made by create-or-get
    exemplars_checked_at: datetime | None = None  # when the checks of the last set are done; None = no set
    # Serialization caches, dropped on every change (see Store.touch).
    cache_v4: tuple[bytes, dict[str, bytes]] | None = field(default=None, repr=False)

    @property
    def rfbs(self) -> bool:
        return self.method.rfbs


@dataclass(slots=True, eq=False)
class Carriage:
    id: int
    method: DeliveryMethod
    departure_date: datetime
    created_at: datetime
    posting_numbers: list[str]
    status: str = "new"
    containers_count: int = 0  # set on approve, by sellers with trusted acceptance only
    approved_at: datetime | None = None


@dataclass(slots=True, eq=False)
class LabelTask:
    """One kind of label (big or small) for a batch of postings; decided once, then frozen."""

    task_id: int
    task_type: str  # "big_label" | "small_label"
    posting_numbers: list[str]  # as requested, duplicates dropped
    created_at: datetime
    file_name: str  # "<task_id>-<token>.pdf", served like a CDN under /s3/fbs-labels/
    decided: bool = False
    printed: list[str] = field(default_factory=list)
    unprinted: list[tuple[str, str]] = field(default_factory=list)  # (posting number, why)
    pdf: bytes | None = field(default=None, repr=False)  # rendered on the first download


@dataclass(slots=True, eq=False)
class Message:
    id: int
    user_id: str
    user_type: str  # Customer | Seller | Support
    created_at: datetime
    data: list[str]
    is_image: bool = False
    is_read: bool = False
    order_number: str = ""
    sku: int = 0


@dataclass(slots=True, eq=False)
class Chat:
    chat_id: str
    chat_type: str  # BUYER_SELLER | SELLER_SUPPORT
    created_at: datetime
    buyer_id: str = ""
    posting_number: str = ""
    status: str = "OPENED"
    messages: list[Message] = field(default_factory=list)
    wide_ids: bool = False  # its message ids are 20 digits long


@dataclass(slots=True, eq=False)
class FbsReturn:
    """One returned item as /v1/returns/list shows it (FBS and FBO)."""

    id: int
    schema: str  # "Fbs" | "Fbo"
    type: str
    posting_number: str
    order_id: int
    order_number: str
    sku: int
    offer_id: str
    name: str
    quantity: int
    price: int  # kopecks
    commission_percent: float
    reason: str
    status_id: int
    status_sys_name: str
    status_name: str
    changed_at: datetime
    return_date: datetime
    barcode: str
    warehouse_id: int
    place_id: int
    place_name: str
    place_address: str
    is_opened: bool
    exemplar_id: int


@dataclass(slots=True, eq=False)
class RfbsReturn:
    return_id: int
    return_number: str
    posting_number: str
    order_number: str
    client_name: str
    created_at: datetime
    sku: int
    offer_id: str
    name: str
    price: int  # kopecks
    reason_id: int
    reason_name: str
    is_defect: bool
    comment: str
    photos: list[str]
    return_method_id: int
    return_method_name: str
    warehouse_id: int
    state: str
    changed_at: datetime
    return_method_description: str = ""
    ru_post_tracking_number: str = ""
    rejection_reason_id: int = 0
    rejection_comment: str = ""
    compensation_amount: str = ""
    return_for_back_way: int = 0


@dataclass(slots=True, eq=False)
class ReviewComment:
    id: str
    text: str
    published_at: datetime
    parent_comment_id: str = ""
    is_owner: bool = True
    is_official: bool = True


@dataclass(slots=True, eq=False)
class Review:
    id: str
    sku: int
    text: str
    rating: int
    published_at: datetime
    status: str  # NEW | VIEWED | PROCESSED
    order_status: str  # DELIVERED | CANCELLED
    photos: list[str]
    likes: int
    dislikes: int
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Answer:
    id: str
    question_id: str
    sku: int
    text: str
    author_name: str
    published_at: datetime


@dataclass(slots=True, eq=False)
class Question:
    id: str
    sku: int
    text: str
    author_name: str
    published_at: datetime
    status: str  # NEW | VIEWED | PROCESSED
    answers: list[Answer] = field(default_factory=list)
