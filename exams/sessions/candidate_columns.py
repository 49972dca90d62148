"""The columns of the candidate-registration file (its template, its import and the lists made from it), by the
names the agencies' files use."""

COL_ORDER = "STT"
COL_NAME = "Họ và tên"
COL_DOB = "Ngày sinh"
COL_GENDER = "Giới tính"
COL_ETHNICITY = "Dân tộc"
COL_CCCD = "Số CCCD"
COL_POSITION = "Chức vụ"
COL_UNIT = "Đơn vị công tác"
COL_RANK_NAME = "Ngạch hiện giữ"
COL_RANK_CODE = "Mã ngạch"
COL_SERVICE_START = "Ngày bắt đầu công tác"
COL_EXEMPT_NN = "Miễn ngoại ngữ (lý do)"
COL_EXEMPT_TH = "Miễn tin học (lý do)"
COL_NOTE = "Ghi chú"

CANDIDATE_COLUMNS = [
    COL_ORDER, COL_NAME, COL_DOB, COL_GENDER, COL_ETHNICITY, COL_CCCD, COL_POSITION, COL_UNIT, COL_RANK_NAME,
    COL_RANK_CODE, COL_SERVICE_START, COL_EXEMPT_NN, COL_EXEMPT_TH, COL_NOTE,
]
